"""Check a local reference file against the service's media rules, and repair what can be repaired.

The package's public face is `probe()`, and the `MediaReport` it returns with the kinds and verdicts
it speaks in (named here from report.py for callers: `media.probe`, `media.MediaReport`,
`media.IMAGE`…); the rest is the package's own.  This file owns the front door: it reads the file's
size, tells its kind by its content (never by its extension) and hands it to the check of that kind,
and when the content is not what the card asks for it says what the file is instead.

    report.py          what every kind shares: MediaReport, the file being checked, read errors, format labels
    pictures.py        a picture's probe (headers only) and its repair (rotation, transparency, size, bytes)
    containers.py      what video and sound share: the container's facts from PyAV's demuxer, never a decode
    video.py           a reference video's rules (MP4/MOV boxes, picture track, size, duration)
    audio.py           a voice sample's rules (MP3/WAV/FLAC, duration)
    picture_header.py  what a picture's (or a WAV's) file says about itself, read without decoding
    picture_pixels.py  the pixel work of a repair and of a card's thumbnail, in strips
    decode_budget.py   the one process-wide budget of decoded picture memory (R2V_DECODE_BUDGET_MB)

A probe never decodes pixels; pixels are decoded only for a repair, within the process-wide decode
budget (decode_budget.py).  Outside the package, only the page's card thumbnail (ui/cards.py:
`picture_pixels.thumbnail` under `decode_budget.process_budget`) and the start's check of the
budget setting (app.py: `decode_budget.limit_from_env`) reach past this front door.  The limits come
only from `spec.IMAGE_RULES`, `spec.VIDEO_RULES` and `spec.AUDIO_RULES`.
"""

from __future__ import annotations

import stat
from pathlib import Path

from ..messages import Choices, FileSize, msg
from ..spec import AUDIO_RULES, IMAGE_RULES, VIDEO_RULES
from . import audio, video
from .decode_budget import DecodeBudget, process_budget
from .containers import av_facts, av_kind
from .pictures import pillow_knows, probe_image
from .report import ACCEPTED, AUDIO, FIXED, IMAGE, KINDS, REFUSED, VIDEO, CheckedFile, MediaReport

__all__ = ["probe", "MediaReport", "IMAGE", "VIDEO", "AUDIO", "KINDS", "ACCEPTED", "FIXED", "REFUSED"]


def probe(
    path: Path | str,
    kind: str | None = None,
    *,
    display_name: str | None = None,
    work_dir: Path | None = None,
    budget: DecodeBudget | None = None,
) -> MediaReport:
    """Check one local file; `kind` None means tell it from the content.

    Repaired copies of pictures go to `work_dir` (default: a new temporary folder).  A file whose
    kind cannot be told is reported as the kind its extension suggests (a picture by default).
    Decoding pixels takes memory from `budget` (default: the process-wide one)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, not {kind!r}")
    p = path if isinstance(path, Path) else Path(path)  # a Path copy is 1.4 µs of a ~25 µs probe
    wd = work_dir if work_dir is None or isinstance(work_dir, Path) else Path(work_dir)
    f = CheckedFile(p, display_name or p.name, wd,
                    budget if budget is not None else process_budget())
    fallback_kind = kind or _kind_from_suffix(p) or IMAGE
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except OSError:
        return f.refuse(fallback_kind, msg("media.unreadable", name=f.name))
    if st is None or not stat.S_ISREG(st.st_mode):
        return f.refuse(fallback_kind, msg("media.missing", name=f.name))
    f.size = st.st_size
    if f.size == 0:
        return f.refuse(fallback_kind, msg("media.empty", name=f.name))

    if kind == IMAGE:
        return probe_image(f) or _refuse_wrong_kind(f, IMAGE)
    if kind in (VIDEO, AUDIO):
        return _probe_av(f, kind) or _refuse_wrong_kind(f, kind)
    report = probe_image(f) or _probe_av(f, None)
    if report is not None:
        return report
    return _refuse_unknown(f, _kind_from_suffix(p, None))


def _probe_av(f: CheckedFile, kind: str | None) -> MediaReport | None:
    """None when ffmpeg does not see a media container in the content."""
    rules = VIDEO_RULES if kind == VIDEO else AUDIO_RULES if kind == AUDIO else None
    if rules is not None and f.size > rules.max_bytes:  # refuse before reading anything
        return _refuse_too_heavy(f, kind)
    facts = av_facts(f.path)
    if facts is None:
        return None
    if kind is not None and facts.kind != kind:
        return None  # the caller says what the file is instead
    if kind is None and f.size > (VIDEO_RULES if facts.kind == VIDEO else AUDIO_RULES).max_bytes:
        return _refuse_too_heavy(f, facts.kind)
    return video.check_video(f, facts) if facts.kind == VIDEO else audio.check_audio(f, facts)


def _refuse_too_heavy(f: CheckedFile, kind: str) -> MediaReport:
    if kind == VIDEO:
        return f.refuse(VIDEO, msg("media.video_too_heavy", name=f.name, size=FileSize(f.size),
                                   limit=FileSize(VIDEO_RULES.max_bytes)))
    return f.refuse(AUDIO, msg("media.audio_too_heavy", name=f.name, size=FileSize(f.size),
                               limit=FileSize(AUDIO_RULES.max_bytes)))


def _kind_from_suffix(path: Path, default: str | None = IMAGE) -> str | None:
    suffix = path.suffix.lower()
    for kind, rules in ((IMAGE, IMAGE_RULES), (VIDEO, VIDEO_RULES), (AUDIO, AUDIO_RULES)):
        if suffix in rules.extensions:
            return kind
    return default


def _refuse_unknown(f: CheckedFile, guessed: str | None) -> MediaReport:
    if guessed == IMAGE:
        return f.refuse(IMAGE, msg("media.not_picture", name=f.name, formats=Choices(IMAGE_RULES.formats)))
    if guessed == VIDEO:
        return f.refuse(VIDEO, msg("media.not_video", name=f.name, formats=Choices(VIDEO_RULES.formats)))
    if guessed == AUDIO:
        return f.refuse(AUDIO, msg("media.not_sound", name=f.name, formats=Choices(AUDIO_RULES.formats)))
    return f.refuse(IMAGE, msg("media.not_media", name=f.name, image_formats=Choices(IMAGE_RULES.formats),
                               video_formats=Choices(VIDEO_RULES.formats),
                               audio_formats=Choices(AUDIO_RULES.formats)))


def _refuse_wrong_kind(f: CheckedFile, wanted: str) -> MediaReport:
    """The file is not what the card asks for: say what it is, if we can tell."""
    found = IMAGE if wanted != IMAGE and pillow_knows(f.path) else av_kind(f.path)
    if found and found != wanted:
        if wanted == VIDEO and found == AUDIO:
            return f.refuse(VIDEO, msg("media.no_picture_track", name=f.name, formats=Choices(VIDEO_RULES.formats)))
        return f.refuse(wanted, msg("media.wrong_kind", name=f.name, found=msg(f"media.noun.{found}"),
                                    wanted=msg(f"media.noun.{wanted}"), slot=msg(f"media.slot.{found}")))
    return _refuse_unknown(f, wanted)
