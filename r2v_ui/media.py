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

from . import media_types
from . import picture_header as ph
from . import picture_pixels as px
from .decode_budget import DecodeBudget, TooLarge, process_budget, repair_bytes
from .spec import AUDIO_RULES, IMAGE_RULES, MB, VIDEO_RULES

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
    "matroska,webm": "a WebM/MKV video", "avi": "an AVI video", "flv": "an FLV video",
    "mpeg": "an MPEG video", "mpegts": "an MPEG-TS video", "asf": "a WMV/ASF file", "ogg": "an Ogg file",
    "aac": "an AAC file", "amr": "an AMR file", "aiff": "an AIFF file", "gif": "a GIF",
}
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, MemoryError, av.error.FFmpegError)


@dataclass(frozen=True)
class MediaReport:
    path: Path  # the file to use (the original, or a repaired copy)
    kind: str  # "image" | "video" | "audio"
    verdict: str  # "accepted" | "fixed" | "refused"
    message: str  # one plain sentence naming the file and the rule (or what was fixed)
    changes: tuple[str, ...] = ()
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    bytes: int = 0
    format: str | None = None  # "JPEG", "PNG", "BMP", "WEBP", "MP4", "MOV", "MP3", "WAV", "FLAC", or what was found
    content_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.verdict != REFUSED


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
        return f.refuse(fallback_kind, f"{f.name} could not be read; choose the file again.")
    if st is None or not stat.S_ISREG(st.st_mode):
        return f.refuse(fallback_kind, f"{f.name} could not be found or is not a file; choose the file again.")
    f.size = st.st_size
    if f.size == 0:
        return f.refuse(fallback_kind, f"{f.name} is empty (0 bytes); choose the file again or use another one.")

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

    def refuse(self, kind: str, message: str, **facts) -> MediaReport:
        return MediaReport(self.path, kind, REFUSED, message, bytes=self.size, **facts)

    def accept(self, kind: str, message: str, **facts) -> MediaReport:
        return MediaReport(self.path, kind, ACCEPTED, message, bytes=self.size, **facts)

    def new_copy_path(self, suffix: str) -> Path:
        folder = self.work_dir or Path(tempfile.mkdtemp(prefix="r2v-media-"))
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", self.path.stem)[:40].strip("_") or "reference"
        return folder / f"{stem}-fixed-{uuid.uuid4().hex[:8]}{suffix}"


def _kind_from_suffix(path: Path, default: str | None = IMAGE) -> str | None:
    suffix = path.suffix.lower()
    for kind, rules in ((IMAGE, IMAGE_RULES), (VIDEO, VIDEO_RULES), (AUDIO, AUDIO_RULES)):
        if suffix in rules.extensions:
            return kind
    return default


def _or_list(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def _limit_mb(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else _mb(n)


def _seconds(d: float, *limits: float) -> str:
    """Seconds with one decimal, or more when one decimal would make it look like a limit."""
    for digits in (1, 2, 3):
        text = f"{d:.{digits}f}"
        if all(float(text) != lim for lim in limits):
            return f"{text} s"
    return f"{d:.3f} s"


def _range(lo: float, hi: float, unit: str) -> str:
    return f"{lo:g}–{hi:g} {unit}"


def _refuse_unknown(f: _File, guessed: str | None) -> MediaReport:
    if guessed == IMAGE:
        return f.refuse(IMAGE, f"{f.name} is not a picture we can read (it may be damaged or renamed); "
                               f"save it again as {_or_list(IMAGE_RULES.formats)}.")
    if guessed == VIDEO:
        return f.refuse(VIDEO, f"{f.name} is not a video we can read (it may be damaged or renamed); "
                               f"export it again as {_or_list(VIDEO_RULES.formats)}.")
    if guessed == AUDIO:
        return f.refuse(AUDIO, f"{f.name} is not a sound file we can read (it may be damaged or renamed); "
                               f"save it again as {_or_list(AUDIO_RULES.formats)}.")
    return f.refuse(IMAGE, f"{f.name} is not a picture, video or sound file we can read; use a "
                           f"{_or_list(IMAGE_RULES.formats)} picture, an {_or_list(VIDEO_RULES.formats)} video "
                           f"or an {_or_list(AUDIO_RULES.formats)} voice clip.")


def _refuse_wrong_kind(f: _File, wanted: str) -> MediaReport:
    """The file is not what the card asks for: say what it is, if we can tell."""
    found = IMAGE if wanted != IMAGE and _pillow_knows(f.path) else _av_kind(f.path)
    nouns = {IMAGE: "a picture", VIDEO: "a video", AUDIO: "a sound clip"}
    slots = {IMAGE: "a reference picture", VIDEO: "a reference video", AUDIO: "a voice clip"}
    if found and found != wanted:
        if wanted == VIDEO and found == AUDIO:
            return f.refuse(VIDEO, f"{f.name} has no picture track; a reference video must be an "
                                   f"{_or_list(VIDEO_RULES.formats)} file that shows the character.")
        return f.refuse(wanted, f"{f.name} is {nouns[found]}, not {nouns[wanted]}; add it as {slots[found]} instead.")
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
        label = _FORMAT_LABELS.get(fmt.lower(), f"a {fmt}")
        return f.refuse(IMAGE, f"{f.name} is {label} picture; the service takes {_or_list(rules.formats)} — "
                               f"convert it to one of those.", width=w, height=h, format=fmt)
    upright = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    dw, dh = upright
    facts = dict(width=dw, height=dh, format=fmt)
    short, long = min(upright), max(upright)
    if short < rules.side_min:
        return f.refuse(IMAGE, f"{f.name} is {dw}×{dh} px; each side must be at least {rules.side_min} px — "
                               f"use a larger picture.", **facts)
    if long / short > rules.aspect_max:
        return f.refuse(IMAGE, f"{f.name} is {dw}×{dh} px ({_ratio(dw, dh)}); a picture's shape must be between "
                               f"1:{rules.aspect_max:g} and {rules.aspect_max:g}:1 — crop it closer to the "
                               f"character.", **facts)
    target: tuple[int, int] | None = None
    if long > rules.side_max:
        scale = rules.side_max / long
        target = (min(rules.side_max, round(dw * scale)), min(rules.side_max, round(dh * scale)))
        if min(target) < rules.side_min:
            return f.refuse(IMAGE, f"{f.name} is {dw}×{dh} px; shrinking it to {rules.side_max} px on the long side "
                                   f"would leave the short side under {rules.side_min} px — crop it first.", **facts)
    has_alpha = mode in px.ALPHA_MODES or "transparency" in info
    rotate = orientation in px.TRANSPOSE
    too_heavy = f.size > rules.max_bytes
    try:
        if not (rotate or has_alpha or target or too_heavy):
            if not (complete if complete is not None else _image_is_complete(f, fmt)):
                return _refuse_damaged_image(f, fmt, **facts)
            return f.accept(IMAGE, f"{f.name} is a {dw}×{dh} px {fmt} picture that meets the service's rules.",
                            content_type=IMAGE_CONTENT_TYPES[fmt], **facts)
        return _repair_image(f, fmt, upright, orientation, target, has_alpha, too_heavy)
    except TooLarge:
        return _refuse_too_many_pixels(f, **facts)
    except px.CannotFit:
        return f.refuse(IMAGE, f"{f.name} could not be brought under {_limit_mb(rules.max_bytes)}; save it as a "
                               f"smaller JPEG and add it again.", **facts)
    except _READ_ERRORS:  # decoding failed: the file is cut off or damaged
        return _refuse_damaged_image(f, fmt, **facts)


def _refuse_too_many_pixels(f: _File, **facts) -> MediaReport:
    rules = IMAGE_RULES
    has = f"is {facts['width']}×{facts['height']} px," if facts else "has"
    return f.refuse(IMAGE, f"{f.name} {has} more pixels than the studio can safely open (at most about "
                           f"{f.budget.max_pixels() // 1_000_000} million); scale it down to at most "
                           f"{rules.side_max} px a side in an image editor and add it again.", **facts)


def _ratio(w: int, h: int) -> str:
    r = f"{max(w, h) / min(w, h):.1f}".rstrip("0").rstrip(".")
    return f"1:{r}" if h > w else f"{r}:1"


def _refuse_damaged_image(f: _File, fmt: str, **facts) -> MediaReport:
    return f.refuse(IMAGE, f"{f.name} is a damaged or cut-off {fmt} picture; open it in an image editor and save "
                           f"it again, or use another copy.", **facts)


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
    done: list[tuple[str, str]] = []  # (sentence naming the file, short phrase for a combined message)
    if orientation in px.TRANSPOSE:
        done.append((f"{f.name} had a camera rotation (EXIF) tag, which was applied so the picture stands upright.",
                     "the camera rotation tag was applied"))
    if has_alpha:
        done.append((f"{f.name} had a transparent background, which was flattened onto white.",
                     "the transparent background was flattened onto white"))
    if target:
        done.append((f"{f.name} was {upright[0]}×{upright[1]} px; each side must be at most {rules.side_max} px, "
                     f"so it was scaled down to {target[0]}×{target[1]} px.",
                     f"it was scaled down from {upright[0]}×{upright[1]} to {target[0]}×{target[1]} px"))
    with _open_image(f.path) as src:
        icc = src.info.get("icc_profile")
        if target and fmt == "JPEG":
            stored = (target[1], target[0]) if orientation in (5, 6, 7, 8) else target
            src.draft(None, stored)  # let libjpeg decode at 1/2, 1/4 or 1/8 scale when that is enough
        # src.size is now what will be decoded: its peak is taken from the budget before any decode.
        with f.budget.hold(repair_bytes(*src.size)):
            src.load()
            im = px.upright_flat_small(src, orientation, has_alpha, target)
            out_fmt = fmt
            if too_heavy:
                what = f"was {_mb(f.size)}"
                data = b""
            else:
                data = px.encode(im, fmt, icc=icc)
                what = f"would still be {_mb(len(data))} as {fmt}"
            if too_heavy or len(data) > rules.max_bytes:
                size_before = im.size
                data, im, quality = px.jpeg_under(im, rules.max_bytes, icc, rules.side_min)
                out_fmt = "JPEG"
                shrunk = "" if im.size == size_before else f", scaled down to {im.width}×{im.height} px"
                done.append((f"{f.name} {what}; pictures must be at most {_limit_mb(rules.max_bytes)}, so it was "
                             f"re-saved as a JPEG of {_mb(len(data))} (quality {quality}{shrunk}).",
                             f"it was re-saved as a {_mb(len(data))} JPEG to stay under {_limit_mb(rules.max_bytes)}"))
            width, height = im.size
            im.close()
    dest = f.new_copy_path(_IMAGE_SUFFIX[out_fmt])
    dest.write_bytes(data)
    changes = tuple(sentence for sentence, _ in done)
    if len(done) == 1:
        message = changes[0]
    else:
        phrases = [phrase for _, phrase in done]
        message = (f"{f.name} was adjusted to meet the service's picture rules: "
                   f"{', '.join(phrases[:-1])} and {phrases[-1]}.")
    return MediaReport(dest, IMAGE, FIXED, message, changes, width=width, height=height, bytes=len(data),
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
            label = _FORMAT_LABELS.get(name) or f"a {c.format.long_name or name} file"
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
        return f.refuse(VIDEO, f"{f.name} is {_mb(f.size)}; videos must be at most {_limit_mb(VIDEO_RULES.max_bytes)} "
                               f"— trim it or export it at a lower quality.")
    return f.refuse(AUDIO, f"{f.name} is {_mb(f.size)}; voice clips must be at most "
                           f"{_limit_mb(AUDIO_RULES.max_bytes)} — use a shorter clip or save it as MP3.")


def _check_video(f: _File, facts: _AvFacts) -> MediaReport:
    rules = VIDEO_RULES
    allowed = _or_list(rules.formats)
    if facts.container != _ISO_MEDIA:
        return f.refuse(VIDEO, f"{f.name} is {facts.label}; reference videos must be {allowed} — convert it to MP4.")
    fmt, cut_off = _iso_media_facts(f.path, f.size)
    w, h, d = facts.width, facts.height, facts.duration
    found = dict(width=w, height=h, duration=d, format=fmt)
    if cut_off:
        return f.refuse(VIDEO, f"{f.name} seems cut off (the file ends before its video data does); copy or export "
                               f"it again.", **found)
    if not w or not h:
        return f.refuse(VIDEO, f"{f.name} has a picture track we cannot read; export it again as MP4 (H.264).",
                        **found)
    if d is None:
        return f.refuse(VIDEO, f"{f.name} does not say how long it is, so it cannot be checked against the "
                               f"{_range(rules.duration_min, rules.duration_max, 's')} rule; export it again as MP4.",
                        **found)
    span = _range(rules.duration_min, rules.duration_max, "s")
    if d < rules.duration_min:
        return f.refuse(VIDEO, f"{f.name} is {_seconds(d, rules.duration_min)} long; videos must be {span} — "
                               f"use a longer clip.", **found)
    if d > rules.duration_max:
        return f.refuse(VIDEO, f"{f.name} is {_seconds(d, rules.duration_max)} long; videos must be {span} — "
                               f"trim it to {rules.duration_max:g} s or less.", **found)
    if min(w, h) < rules.side_min:
        return f.refuse(VIDEO, f"{f.name} is {w}×{h} px; each side of a video must be at least {rules.side_min} px "
                               f"— use a larger video.", **found)
    if max(w, h) > rules.side_max:
        return f.refuse(VIDEO, f"{f.name} is {w}×{h} px; each side of a video must be at most {rules.side_max} px "
                               f"— export it at a smaller size, such as 1920×1080.", **found)
    return f.accept(VIDEO, f"{f.name} is a {w}×{h} px {fmt} video of {_seconds(d)} that meets the service's rules.",
                    content_type=VIDEO_CONTENT_TYPES[fmt], **found)


def _check_audio(f: _File, facts: _AvFacts) -> MediaReport:
    rules = AUDIO_RULES
    fmt = _AUDIO_CONTAINERS.get(facts.container)
    d = facts.duration
    if fmt is None:
        label = "an MP4/M4A sound file" if facts.container == _ISO_MEDIA else facts.label
        return f.refuse(AUDIO, f"{f.name} is {label}; voice clips must be {_or_list(rules.formats)} — "
                               f"convert it to one of those.", duration=d)
    found = dict(duration=d, format=fmt)
    if fmt == "WAV" and ph.riff_cut_off(f.path, f.size):
        return f.refuse(AUDIO, f"{f.name} seems cut off (the file ends before its sound data does); save or copy "
                               f"it again.", **found)
    span = _range(rules.duration_min, rules.duration_max, "s")
    if d is None:
        return f.refuse(AUDIO, f"{f.name} does not say how long it is, so it cannot be checked against the {span} "
                               f"rule; save it again as {_or_list(rules.formats)}.", **found)
    if d < rules.duration_min:
        return f.refuse(AUDIO, f"{f.name} is {_seconds(d, rules.duration_min)} long; a voice clip must be {span} — "
                               f"use a longer recording.", **found)
    if d > rules.duration_max:
        return f.refuse(AUDIO, f"{f.name} is {_seconds(d, rules.duration_max)} long; a voice clip must be {span} — "
                               f"trim it to {rules.duration_max:g} s or less.", **found)
    return f.accept(AUDIO, f"{f.name} is a {_seconds(d)} {fmt} voice clip that meets the service's rules.",
                    content_type=AUDIO_CONTENT_TYPES[fmt], **found)
