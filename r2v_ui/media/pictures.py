"""Check a local reference file against the service's media rules, and repair what can be repaired.

`probe()` reads only what it needs: a picture's header (Pillow opens lazily), a video's or a voice
clip's container header (PyAV demuxer; nothing is decoded).  The kind of a file is told by its
content, never by its extension.  A picture that breaks a rule we can fix (camera rotation tag,
transparency, more than 8000 px a side, more than 10 MB) is re-saved as a copy in a work folder —
the user's file is never touched — and the report says in plain words what changed.  Anything else
that breaks a rule is refused with one sentence naming the file, the rule and what to do.

Decoding pixels is the only costly step, and a small file can declare a huge picture: every decode
first takes its peak memory, computed from the declared size, from the process-wide decode budget
(decode_budget.py), and a picture that alone needs more than the whole budget is refused in words.
A probe never decodes pixels: the rotation tag and whether the data is all there are read from the
headers (picture_header.py); pixels are decoded only for a repair.

The limits come only from `spec.IMAGE_RULES`, `spec.VIDEO_RULES` and `spec.AUDIO_RULES`.
"""

from __future__ import annotations

import re
import stat
import struct
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import av
from av.container import InputContainer
from av.stream import Disposition, Stream
from PIL import Image

from .. import media_types
from .. import picture_header as ph
from .. import picture_pixels as px
from ..decode_budget import DecodeBudget, TooLarge, process_budget, repair_bytes
from ..messages import Choices, FileSize, Msg, msg
from ..spec import AUDIO_RULES, IMAGE_RULES, VIDEO_RULES

IMAGE, VIDEO, AUDIO = "image", "video", "audio"
KINDS: tuple[str, ...] = (IMAGE, VIDEO, AUDIO)
ACCEPTED, FIXED, REFUSED = "accepted", "fixed", "refused"

IMAGE_CONTENT_TYPES = media_types.content_types(IMAGE)
VIDEO_CONTENT_TYPES = media_types.content_types(VIDEO)
AUDIO_CONTENT_TYPES = media_types.content_types(AUDIO)
_IMAGE_SUFFIX = media_types.suffixes(IMAGE)

_ISO_MEDIA = "mov,mp4,m4a,3gp,3g2,mj2"  # PyAV's one demuxer name for both MP4 and MOV
_AUDIO_CONTAINERS = {"mp3": "MP3", "wav": "WAV", "flac": "FLAC"}
_NOT_A_CONTAINER = {"image2", "tty"}  # ffmpeg guesses these from the extension alone
_FORMAT_LABELS = {  # how a refused format is named to the user
    "matroska,webm": "WebM/MKV", "avi": "AVI", "flv": "FLV", "mpeg": "MPEG", "mpegts": "MPEG-TS",
    "asf": "WMV/ASF", "ogg": "Ogg", "aac": "AAC", "amr": "AMR", "aiff": "AIFF", "gif": "GIF",
}
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, MemoryError, av.error.FFmpegError)


@dataclass(frozen=True)
class MediaReport:
    path: Path  # the file to use (the original, or a repaired copy)
    kind: str  # "image" | "video" | "audio"
    verdict: str  # "accepted" | "fixed" | "refused"
    msg: Msg  # one plain sentence naming the file and the rule (or what was fixed), as a code
    changes: tuple[Msg, ...] = ()
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    bytes: int = 0
    format: str | None = None  # "JPEG", "PNG", "BMP", "WEBP", "MP4", "MOV", "MP3", "WAV", "FLAC", or what was found
    content_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.verdict != REFUSED

    @property
    def message(self) -> str:
        """The verdict in English (logs, MCP); the page renders `msg` in its reader's language."""
        return str(self.msg)


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
    f = _File(p, display_name or p.name, wd,
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
        return _probe_image(f) or _refuse_wrong_kind(f, IMAGE)
    if kind in (VIDEO, AUDIO):
        return _probe_av(f, kind) or _refuse_wrong_kind(f, kind)
    report = _probe_image(f) or _probe_av(f, None)
    if report is not None:
        return report
    return _refuse_unknown(f, _kind_from_suffix(p, None))


# --- shared ------------------------------------------------------------------------------------


@dataclass
class _File:
    path: Path
    name: str
    work_dir: Path | None
    budget: DecodeBudget
    size: int = 0

    def refuse(self, kind: str, message: Msg, **facts) -> MediaReport:
        return MediaReport(self.path, kind, REFUSED, message, bytes=self.size, **facts)

    def accept(self, kind: str, message: Msg, **facts) -> MediaReport:
        return MediaReport(self.path, kind, ACCEPTED, message, bytes=self.size, **facts)

    def folder(self) -> Path:
        """Where repaired copies (and the strips of one being made) go: `work_dir`, or a new temporary folder."""
        if self.work_dir is None:
            self.work_dir = Path(tempfile.mkdtemp(prefix="r2v-media-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        return self.work_dir

    def new_copy_path(self, suffix: str) -> Path:
        folder = self.folder()
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", self.path.stem)[:40].strip("_") or "reference"
        return folder / f"{stem}-fixed-{uuid.uuid4().hex[:8]}{suffix}"


def _kind_from_suffix(path: Path, default: str | None = IMAGE) -> str | None:
    suffix = path.suffix.lower()
    for kind, rules in ((IMAGE, IMAGE_RULES), (VIDEO, VIDEO_RULES), (AUDIO, AUDIO_RULES)):
        if suffix in rules.extensions:
            return kind
    return default


def _or_list(items: tuple[str, ...]) -> Choices:
    return Choices(tuple(items))


def _seconds(d: float, *limits: float) -> str:
    """Seconds (the number; the sentence gives the unit) with one decimal, or more when one decimal
    would make it look like a limit."""
    for digits in (1, 2, 3):
        text = f"{d:.{digits}f}"
        if all(float(text) != lim for lim in limits):
            return text
    return f"{d:.3f}"


def _span(rules) -> dict[str, str]:
    return {"lo": f"{rules.duration_min:g}", "hi": f"{rules.duration_max:g}"}


def _refuse_unknown(f: _File, guessed: str | None) -> MediaReport:
    if guessed == IMAGE:
        return f.refuse(IMAGE, msg("media.not_picture", name=f.name, formats=_or_list(IMAGE_RULES.formats)))
    if guessed == VIDEO:
        return f.refuse(VIDEO, msg("media.not_video", name=f.name, formats=_or_list(VIDEO_RULES.formats)))
    if guessed == AUDIO:
        return f.refuse(AUDIO, msg("media.not_sound", name=f.name, formats=_or_list(AUDIO_RULES.formats)))
    return f.refuse(IMAGE, msg("media.not_media", name=f.name, image_formats=_or_list(IMAGE_RULES.formats),
                               video_formats=_or_list(VIDEO_RULES.formats),
                               audio_formats=_or_list(AUDIO_RULES.formats)))


def _refuse_wrong_kind(f: _File, wanted: str) -> MediaReport:
    """The file is not what the card asks for: say what it is, if we can tell."""
    found = IMAGE if wanted != IMAGE and _pillow_knows(f.path) else _av_kind(f.path)
    if found and found != wanted:
        if wanted == VIDEO and found == AUDIO:
            return f.refuse(VIDEO, msg("media.no_picture_track", name=f.name, formats=_or_list(VIDEO_RULES.formats)))
        return f.refuse(wanted, msg("media.wrong_kind", name=f.name, found=msg(f"media.noun.{found}"),
                                    wanted=msg(f"media.noun.{wanted}"), slot=msg(f"media.slot.{found}")))
    return _refuse_unknown(f, wanted)


# --- pictures ----------------------------------------------------------------------------------


def _open_image(path: Path) -> Image.Image:
    # Lazy: reads the header only.  Past twice Image.MAX_IMAGE_PIXELS (set by decode_budget) Pillow
    # raises DecompressionBombError (refused by the callers); below that the decode budget decides.
    # (Pillow's DecompressionBombWarning is left alone: silencing it is not thread-safe.)
    return Image.open(path)


def _pillow_knows(path: Path) -> bool:
    try:
        with _open_image(path):
            return True
    except Image.DecompressionBombError:
        return True
    except _READ_ERRORS:
        return False


def _probe_image(f: _File) -> MediaReport | None:
    """None when the content is not a picture at all."""
    rules = IMAGE_RULES
    try:
        im = _open_image(f.path)
    except Image.DecompressionBombError:
        return _refuse_too_many_pixels(f)
    except _READ_ERRORS:
        return None
    with im:
        fmt = "JPEG" if im.format == "MPO" else (im.format or "unknown")  # MPO: a camera JPEG with extra frames
        w, h = im.size
        mode, info = im.mode, dict(im.info)
        fd = _fileno(im)
        try:
            layout = ph.png_layout(f.path, fd, im) if fmt == "PNG" else None  # trailing eXIf and completeness
            complete = layout.complete if layout else (ph.jpeg_complete(f.path, fd) if fmt == "JPEG" else None)
        except _READ_ERRORS:
            layout, complete = None, False
        try:
            orientation = ph.orientation(im, layout.exif if layout else None)  # no pixels decoded
        except _READ_ERRORS:
            orientation = 1
    if fmt not in rules.formats:
        return f.refuse(IMAGE, msg("media.image_format", name=f.name, fmt=_FORMAT_LABELS.get(fmt.lower(), fmt),
                                   formats=_or_list(rules.formats)), width=w, height=h, format=fmt)
    upright = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    dw, dh = upright
    facts = dict(width=dw, height=dh, format=fmt)
    short, long = min(upright), max(upright)
    if short < rules.side_min:
        return f.refuse(IMAGE, msg("media.image_too_small", name=f.name, w=dw, h=dh, min=rules.side_min), **facts)
    if long / short > rules.aspect_max:
        return f.refuse(IMAGE, msg("media.image_aspect", name=f.name, w=dw, h=dh, ratio=_ratio(dw, dh),
                                   max=f"{rules.aspect_max:g}"), **facts)
    target: tuple[int, int] | None = None
    if long > rules.side_max:
        scale = rules.side_max / long
        target = (min(rules.side_max, round(dw * scale)), min(rules.side_max, round(dh * scale)))
        if min(target) < rules.side_min:
            return f.refuse(IMAGE, msg("media.image_cannot_shrink", name=f.name, w=dw, h=dh, max=rules.side_max,
                                       min=rules.side_min), **facts)
    has_alpha = mode in px.ALPHA_MODES or "transparency" in info
    rotate = orientation in px.TRANSPOSE
    too_heavy = f.size > rules.max_bytes
    try:
        if not (rotate or has_alpha or target or too_heavy):
            if not (complete if complete is not None else _image_is_complete(f, fmt)):
                return _refuse_damaged_image(f, fmt, **facts)
            return f.accept(IMAGE, msg("media.image_ok", name=f.name, w=dw, h=dh, fmt=fmt),
                            content_type=IMAGE_CONTENT_TYPES[fmt], **facts)
        return _repair_image(f, fmt, upright, orientation, target, has_alpha, too_heavy)
    except TooLarge:
        return _refuse_too_many_pixels(f, **facts)
    except px.NoRoom:
        return f.refuse(IMAGE, msg("media.image_no_room", name=f.name), **facts)
    except px.CannotFit:
        return f.refuse(IMAGE, msg("media.image_cannot_fit", name=f.name, limit=FileSize(rules.max_bytes)), **facts)
    except _READ_ERRORS:  # decoding failed: the file is cut off or damaged
        return _refuse_damaged_image(f, fmt, **facts)


def _refuse_too_many_pixels(f: _File, **facts) -> MediaReport:
    rules = IMAGE_RULES
    said = dict(name=f.name, mpx=f.budget.max_pixels() // 1_000_000, max=rules.side_max)
    if facts:
        return f.refuse(IMAGE, msg("media.too_many_pixels_sized", w=facts["width"], h=facts["height"], **said),
                        **facts)
    return f.refuse(IMAGE, msg("media.too_many_pixels", **said))


def _ratio(w: int, h: int) -> str:
    r = f"{max(w, h) / min(w, h):.1f}".rstrip("0").rstrip(".")
    return f"1:{r}" if h > w else f"{r}:1"


def _refuse_damaged_image(f: _File, fmt: str, **facts) -> MediaReport:
    return f.refuse(IMAGE, msg("media.image_damaged", name=f.name, fmt=fmt), **facts)


def _fileno(im: Image.Image) -> int | None:
    try:
        return im.fp.fileno() if im.fp is not None else None
    except (AttributeError, OSError, ValueError):
        return None


def _image_is_complete(f: _File, fmt: str) -> bool:
    """Whether a BMP's or WEBP's data is all there, from its header alone (PNG and JPEG are checked
    while the picture is open): a picture accepted as it is is never decoded."""
    try:
        if fmt == "BMP":
            return ph.bmp_complete(f.path, f.size)
        return not ph.riff_cut_off(f.path, f.size)  # WEBP
    except _READ_ERRORS:
        return False


def _repair_image(
    f: _File,
    fmt: str,
    upright: tuple[int, int],
    orientation: int,
    target: tuple[int, int] | None,
    has_alpha: bool,
    too_heavy: bool,
) -> MediaReport:
    """Raises TooLarge, before decoding anything, when the repair alone would not fit the decode budget."""
    rules = IMAGE_RULES
    done: list[tuple[Msg, Msg]] = []  # (sentence naming the file, short phrase for a combined message)
    if orientation in px.TRANSPOSE:
        done.append((msg("media.fix.rotation", name=f.name), msg("media.fix.rotation_short")))
    if has_alpha:
        done.append((msg("media.fix.alpha", name=f.name), msg("media.fix.alpha_short")))
    if target:
        sizes = dict(w=upright[0], h=upright[1], tw=target[0], th=target[1])
        done.append((msg("media.fix.scaled", name=f.name, max=rules.side_max, **sizes),
                     msg("media.fix.scaled_short", **sizes)))
    with _open_image(f.path) as src:
        icc = src.info.get("icc_profile")
        if target and fmt == "JPEG":
            stored = (target[1], target[0]) if orientation in px.SIDEWAYS else target
            src.draft(None, stored)  # let libjpeg decode at 1/2, 1/4 or 1/8 scale when that is enough
        # src.size is now what will be decoded: its peak is taken from the budget before any decode.
        out_w, out_h = target or upright
        if orientation in px.SIDEWAYS:
            out_w, out_h = out_h, out_w  # the result's size as the source lies
        folder = f.folder()
        with f.budget.hold(repair_bytes(*src.size, out_w, out_h, fmt)):
            src.load()
            im = px.upright_flat_small(src, orientation, has_alpha, target, folder)
            try:
                out_fmt, dest = fmt, None
                if too_heavy:
                    what = msg("media.fix.was_size", size=FileSize(f.size))
                else:
                    dest = f.new_copy_path(_IMAGE_SUFFIX[fmt])
                    written = px.encode(im, dest, fmt, icc=icc)
                    what = msg("media.fix.would_be", size=FileSize(written), fmt=fmt)
                if too_heavy or written > rules.max_bytes:
                    if dest is not None:
                        dest.unlink()
                    dest, out_fmt, size_before = f.new_copy_path(_IMAGE_SUFFIX["JPEG"]), "JPEG", im.size
                    im, quality, written = px.jpeg_under(im, dest, rules.max_bytes, icc, rules.side_min, folder)
                    shrunk = msg("empty") if im.size == size_before else msg("media.fix.shrunk", w=im.width, h=im.height)
                    limit, size = FileSize(rules.max_bytes), FileSize(written)
                    done.append((msg("media.fix.resaved", name=f.name, what=what, limit=limit, size=size, quality=quality,
                                     shrunk=shrunk),
                                 msg("media.fix.resaved_short", size=size, limit=limit)))
                width, height = im.size
            finally:
                im.close()
    changes = tuple(sentence for sentence, _ in done)
    if len(done) == 1:
        message = changes[0]
    else:
        message = msg("media.fix.many", name=f.name, phrases=tuple(phrase for _, phrase in done))
    return MediaReport(dest, IMAGE, FIXED, message, changes, width=width, height=height, bytes=written,
                       format=out_fmt, content_type=IMAGE_CONTENT_TYPES[out_fmt])


# --- video and sound ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _AvFacts:
    container: str  # PyAV demuxer name
    label: str  # what to call it in a sentence when refused
    kind: str  # VIDEO or AUDIO, from the content
    width: int | None
    height: int | None
    duration: float | None


def _av_facts(path: Path) -> _AvFacts | None:
    """Container facts from the header only; None when ffmpeg does not see a media container."""
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as c:
            name = c.format.name
            if name in _NOT_A_CONTAINER or name.endswith("_pipe"):
                return None
            label = _FORMAT_LABELS.get(name) or c.format.long_name or name
            videos = [s for s in c.streams.video if not (s.disposition & Disposition.attached_pic)]
            audios = list(c.streams.audio)
            if name in _AUDIO_CONTAINERS or (audios and not videos):
                kind, stream = AUDIO, (audios[0] if audios else None)
            elif videos:
                kind, stream = VIDEO, videos[0]
            else:
                return None
            width = height = None
            if kind == VIDEO:
                width, height = stream.codec_context.width or None, stream.codec_context.height or None
            duration = _duration(c, stream) if stream is not None else None
            return _AvFacts(name, label, kind, width, height, duration)
    except _READ_ERRORS:
        return None


def _av_kind(path: Path) -> str | None:
    facts = _av_facts(path)
    return facts.kind if facts else None


def _duration(c: InputContainer, stream: Stream) -> float | None:
    if c.duration and c.duration > 0:
        return c.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    rate = getattr(stream, "average_rate", None)
    if stream.frames and rate:
        return float(stream.frames / rate)
    return _duration_from_last_packets(c, stream)


def _duration_from_last_packets(c: InputContainer, stream: Stream, max_packets: int = 20_000) -> float | None:
    """Headers silent: jump near the end and read (not decode) the last packets' timestamps."""
    try:
        c.seek(2**62, backward=True, any_frame=True, stream=stream)
    except _READ_ERRORS:
        return None  # cannot jump: rather than read the whole file, say we cannot tell
    end = None
    for i, packet in enumerate(c.demux(stream)):
        if packet.pts is not None:
            stop = packet.pts + (packet.duration or 0)
            end = stop if end is None else max(end, stop)
        if i >= max_packets:
            break
    if end is None or not stream.time_base:
        return None
    start = stream.start_time or 0
    return float((end - start) * stream.time_base)


def _iso_media_facts(path: Path, size: int) -> tuple[str, bool]:
    """("MP4" | "MOV", cut_off) from the top-level boxes, reading only their 8–16 byte headers."""
    brand: str | None = None
    offset = 0
    with open(path, "rb") as fh:
        for _ in range(100_000):
            if offset >= size:
                break
            fh.seek(offset)
            head = fh.read(16)
            if len(head) < 8:
                break
            box_size, box_type = struct.unpack(">I4s", head[:8])
            if box_size == 1 and len(head) == 16:
                box_size = struct.unpack(">Q", head[8:16])[0]
            elif box_size == 0:
                box_size = size - offset
            if box_size < 8:
                return (_brand_format(brand, path), True)
            if offset == 0 and box_type == b"ftyp":
                brand = head[8:12].decode("latin-1")
            offset += box_size
    return _brand_format(brand, path), offset > size


def _brand_format(brand: str | None, path: Path) -> str:
    if brand is None:  # old QuickTime files have no ftyp box
        return "MOV" if path.suffix.lower() != ".mp4" else "MP4"
    return "MOV" if brand == "qt  " else "MP4"


def _probe_av(f: _File, kind: str | None) -> MediaReport | None:
    """None when ffmpeg does not see a media container in the content."""
    rules = VIDEO_RULES if kind == VIDEO else AUDIO_RULES if kind == AUDIO else None
    if rules is not None and f.size > rules.max_bytes:  # refuse before reading anything
        return _refuse_too_heavy(f, kind)
    facts = _av_facts(f.path)
    if facts is None:
        return None
    if kind is not None and facts.kind != kind:
        return None  # the caller says what the file is instead
    if kind is None and f.size > (VIDEO_RULES if facts.kind == VIDEO else AUDIO_RULES).max_bytes:
        return _refuse_too_heavy(f, facts.kind)
    return _check_video(f, facts) if facts.kind == VIDEO else _check_audio(f, facts)


def _refuse_too_heavy(f: _File, kind: str) -> MediaReport:
    if kind == VIDEO:
        return f.refuse(VIDEO, msg("media.video_too_heavy", name=f.name, size=FileSize(f.size),
                                   limit=FileSize(VIDEO_RULES.max_bytes)))
    return f.refuse(AUDIO, msg("media.audio_too_heavy", name=f.name, size=FileSize(f.size),
                               limit=FileSize(AUDIO_RULES.max_bytes)))


def _check_video(f: _File, facts: _AvFacts) -> MediaReport:
    rules = VIDEO_RULES
    allowed = _or_list(rules.formats)
    if facts.container != _ISO_MEDIA:
        return f.refuse(VIDEO, msg("media.video_container", name=f.name, fmt=facts.label, formats=allowed))
    fmt, cut_off = _iso_media_facts(f.path, f.size)
    w, h, d = facts.width, facts.height, facts.duration
    found = dict(width=w, height=h, duration=d, format=fmt)
    if cut_off:
        return f.refuse(VIDEO, msg("media.video_cut_off", name=f.name), **found)
    if not w or not h:
        return f.refuse(VIDEO, msg("media.video_bad_track", name=f.name), **found)
    span = _span(rules)
    if d is None:
        return f.refuse(VIDEO, msg("media.video_no_duration", name=f.name, **span), **found)
    if d < rules.duration_min:
        return f.refuse(VIDEO, msg("media.video_too_short", name=f.name, secs=_seconds(d, rules.duration_min), **span),
                        **found)
    if d > rules.duration_max:
        return f.refuse(VIDEO, msg("media.video_too_long", name=f.name, secs=_seconds(d, rules.duration_max), **span),
                        **found)
    if min(w, h) < rules.side_min:
        return f.refuse(VIDEO, msg("media.video_too_small", name=f.name, w=w, h=h, min=rules.side_min), **found)
    if max(w, h) > rules.side_max:
        return f.refuse(VIDEO, msg("media.video_too_large", name=f.name, w=w, h=h, max=rules.side_max), **found)
    return f.accept(VIDEO, msg("media.video_ok", name=f.name, w=w, h=h, fmt=fmt, secs=_seconds(d)),
                    content_type=VIDEO_CONTENT_TYPES[fmt], **found)


def _check_audio(f: _File, facts: _AvFacts) -> MediaReport:
    rules = AUDIO_RULES
    fmt = _AUDIO_CONTAINERS.get(facts.container)
    d = facts.duration
    if fmt is None:
        label = "MP4/M4A" if facts.container == _ISO_MEDIA else facts.label
        return f.refuse(AUDIO, msg("media.audio_container", name=f.name, fmt=label, formats=_or_list(rules.formats)),
                        duration=d)
    found = dict(duration=d, format=fmt)
    if fmt == "WAV" and ph.riff_cut_off(f.path, f.size):
        return f.refuse(AUDIO, msg("media.audio_cut_off", name=f.name), **found)
    span = _span(rules)
    if d is None:
        return f.refuse(AUDIO, msg("media.audio_no_duration", name=f.name, formats=_or_list(rules.formats), **span),
                        **found)
    if d < rules.duration_min:
        return f.refuse(AUDIO, msg("media.audio_too_short", name=f.name, secs=_seconds(d, rules.duration_min), **span),
                        **found)
    if d > rules.duration_max:
        return f.refuse(AUDIO, msg("media.audio_too_long", name=f.name, secs=_seconds(d, rules.duration_max), **span),
                        **found)
    return f.accept(AUDIO, msg("media.audio_ok", name=f.name, secs=_seconds(d), fmt=fmt),
                    content_type=AUDIO_CONTENT_TYPES[fmt], **found)
