"""The hand-over pack: one ZIP for a job or a batch of takes, to give to someone who was not there.

Inside one folder named like the pack (`<name>_pack/`):
  * each take's MP4, named as the page names its download (filenames.py);
  * `<that name>.recipe.json` per take (recipe.py: every setting, the prompt as written and as sent,
    the cast's names, roles and file hashes, the seed, the take, the request body as sent);
  * `contact-sheet.png`: one row per take — its take number and seed, then its poster (the first
    frame) and two more frames (middle, near the end), drawn with the studio's fonts (fonts.py);
  * `<that name>.preview.webp` per take: a small looping preview for chat and slides, at most
    `PREVIEW_MAX_BYTES` (made smaller and shorter until it fits; a GIF where Pillow has no WebP);
  * `notes.txt`: the picks and notes the share links gathered, when there are any (`feedback`: a
    callable job id → Feedback, as SHARE_API.md's `ShareService.feedback_for_job`).

The ZIP is written to a temporary file beside its final place and renamed when whole; the videos are
copied into it from disk in chunks (never a whole video in memory).  Entry names are made here
from the download names (letters, digits, `-`, `_`, `.`), checked by `safe_entry`: no absolute path,
no `..`, no backslash, no drive, no control character.  No Gradio: the page's button and any other
caller share it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from PIL import Image, ImageDraw, features

from .. import fonts
from ..errors import StudioError
from ..messages import DEFAULT, msg, t
from ..messages import formats
from . import filenames, recipe

PREVIEW_MAX_BYTES = 2 * 1024 * 1024
PREVIEW_LONG_SIDE = 360  # px, the first try; smaller until the preview fits
PREVIEW_FRAMES = 24  # the first try; fewer until the preview fits
PREVIEW_FPS = 8
SHEET_FRAME_HEIGHT = 180  # px: each frame's height on the contact sheet
SHEET_LABEL_WIDTH = 190
SHEET_MARGIN = 16
SHEET_GAP = 8
SHEET_FRACTIONS = (0.0, 0.5, 0.9)  # the poster (first frame) and two more
SHEET_BACKGROUND = (17, 17, 17)
SHEET_TEXT = (240, 240, 240)
SHEET_FAINT = (170, 170, 170)
KEEP_PACKS_SECONDS = 3600.0  # a made pack is reused for the same takes while it is this young
_ENTRY = re.compile(r"[^\x00-\x1f\x7f\\:]+")

Feedback = Callable[[str], Any]  # a job id → Feedback (picks, notes), or None


class PackError(StudioError):
    """No pack could be made (no finished video in it): in words."""


@dataclass(frozen=True)
class Pack:
    path: Path  # the ZIP on disk
    name: str  # the name a person can file it under
    entries: tuple[str, ...]
    size: int


def safe_entry(name: str) -> bool:
    """Whether `name` is a ZIP entry name that extracts inside the folder it is extracted into."""
    if not name or name.startswith("/") or not _ENTRY.fullmatch(name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def with_video(snaps: Sequence[Any]) -> list[Any]:
    """The takes of `snaps` that have a video file to pack, in take order."""
    out = [s for s in snaps if s.has_video and s.video_path and Path(s.video_path).is_file()]
    return sorted(out, key=lambda s: (s.take or 0, s.created_at))


def pack_name(snaps: Sequence[Any]) -> str:
    """`<cast or prompt words>_take2_seed41_pack.zip` for one take; `…_3takes_pack.zip` for several."""
    first = snaps[0]
    stem = filenames.for_snapshot(first, ext="")
    if len(snaps) > 1:
        stem = filenames.for_snapshot(_Anon(first), ext="") + f"_{len(snaps)}takes"
    return f"{stem}_pack.zip"


@dataclass
class _Anon:
    """A snapshot without its take and seed: the batch's common name."""

    snap: Any

    def __getattr__(self, name: str) -> Any:
        return None if name in ("take", "seed_used") else getattr(self.snap, name)

    @property
    def settings(self) -> dict:
        return {k: v for k, v in (self.snap.settings or {}).items() if k != "seed"}


def build_pack(snaps: Sequence[Any], folder: Path, *, feedback: Feedback | None = None, lang: str = DEFAULT,
               clock: Callable[[], float] = time.time) -> Pack:
    """The pack of these jobs (a job, or a batch's takes) as a ZIP in `folder`; a pack made earlier
    for the same takes, the same videos and the same notes is handed back as it is."""
    takes = with_video(snaps)
    if not takes:
        raise PackError(msg("pack.no_video"))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder, clock())
    notes = _notes_text(takes, feedback, lang)
    key = _key(takes, notes, lang)
    name = pack_name(takes)
    path = folder / f"{key}.zip"
    if path.is_file():
        with zipfile.ZipFile(path) as zf:
            return Pack(path, name, tuple(zf.namelist()), path.stat().st_size)
    top = name[: -len(".zip")]
    entries: list[str] = []

    def entry(rel: str) -> str:
        arc = f"{top}/{rel}"
        if not safe_entry(arc) or arc in entries:
            raise ValueError(f"unsafe or repeated entry name {arc!r}")  # a bug here, never a user's input
        entries.append(arc)
        return arc

    fd, tmp = tempfile.mkstemp(prefix=".pack-", suffix=".part", dir=folder)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            used: set[str] = set()
            rows = []
            for snap in takes:
                video_name = _unique(filenames.for_snapshot(snap), used)
                stem = video_name[: -len(".mp4")] if video_name.endswith(".mp4") else video_name
                video = Path(snap.video_path)
                zf.write(video, entry(video_name), compress_type=zipfile.ZIP_STORED)  # streamed from disk
                _put(zf, entry(f"{stem}.recipe.json"), recipe.recipe_json(snap).encode("utf-8"))
                frames = sheet_frames(video)
                rows.append((snap, frames))
                data, ext = preview(video)
                _put(zf, entry(f"{stem}.preview{ext}"), data, zipfile.ZIP_STORED)
            sheet = io.BytesIO()
            contact_sheet(rows, lang).save(sheet, "PNG", optimize=True)
            _put(zf, entry("contact-sheet.png"), sheet.getvalue(), zipfile.ZIP_STORED)
            if notes:
                _put(zf, entry("notes.txt"), notes.encode("utf-8"))
        _jobs_file(path).write_text(json.dumps([s.job_id for s in takes]), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Pack(path, name, tuple(entries), path.stat().st_size)


def _put(zf: zipfile.ZipFile, name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED) -> None:
    """An entry made here, dated now and readable by everyone once extracted (rw-r--r--)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _unique(name: str, used: set[str]) -> str:
    base, dot, ext = name.rpartition(".")
    candidate, n = name, 2
    while candidate in used:
        candidate = f"{base}-{n}.{ext}" if dot else f"{name}-{n}"
        n += 1
    used.add(candidate)
    return candidate


def _key(takes: Sequence[Any], notes: str, lang: str) -> str:
    parts = [(s.job_id, s.version, os.stat(s.video_path).st_mtime_ns, os.stat(s.video_path).st_size) for s in takes]
    data = json.dumps([parts, notes, lang, recipe.VERSION, PREVIEW_MAX_BYTES], default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:40]


def _jobs_file(path: Path) -> Path:
    """Beside each pack, the ids of the jobs in it: a deleted job's packs go with it (`packs_of`)."""
    return path.with_suffix(".jobs.json")


def packs_of(folder: Path, job_id: str) -> list[Path]:
    """The packs in `folder` that hold this job's video (to delete with the job, and stop serving)."""
    found = []
    for jobs in Path(folder).glob("*.jobs.json") if Path(folder).is_dir() else ():
        try:
            if job_id in json.loads(jobs.read_text(encoding="utf-8")):
                found.append(jobs.with_name(jobs.name[: -len(".jobs.json")] + ".zip"))
        except (OSError, ValueError):
            continue
    return found


def forget(packs: Sequence[Path]) -> None:
    """Delete these packs and their job lists."""
    for p in packs:
        for f in (p, _jobs_file(p)):
            f.unlink(missing_ok=True)


def _sweep(folder: Path, now: float) -> None:
    """Packs older than `KEEP_PACKS_SECONDS` go (and any half-written one a crash left)."""
    for p in folder.iterdir():
        try:
            if p.is_file() and now - p.stat().st_mtime > KEEP_PACKS_SECONDS:
                p.unlink()
        except OSError:
            pass


# --- frames --------------------------------------------------------------------------------------
def _open_video(path: Path):
    import av

    container = av.open(str(path))
    stream = container.streams.video[0]
    stream.thread_type = "NONE"
    seconds = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else (
        container.duration / 1_000_000 if container.duration else 0.0)
    return container, stream, seconds


def _scaled(frame: Any, height: int) -> Image.Image:
    width = max(2, round(frame.width * height / frame.height))
    return frame.to_image(width=width, height=height)


def sheet_frames(path: Path, height: int = SHEET_FRAME_HEIGHT) -> list[Image.Image]:
    """The poster (first frame) and the frames at the middle and near the end, `height` px high."""
    container, stream, seconds = _open_video(path)
    out: list[Image.Image] = []
    try:
        for fraction in SHEET_FRACTIONS:
            target = fraction * seconds
            if target > 0:
                container.seek(int(target / stream.time_base), stream=stream, backward=True)
            chosen = None
            for frame in container.decode(stream):
                chosen = frame
                if frame.time is None or frame.time + 1e-3 >= target:
                    break
            if chosen is not None:
                out.append(_scaled(chosen, height))
    finally:
        container.close()
    return out


def preview_frames(path: Path, count: int, long_side: int) -> list[Image.Image]:
    """`count` frames spread over the video (one decode, front to back), `long_side` px on the long side."""
    container, stream, seconds = _open_video(path)
    out: list[Image.Image] = []
    try:
        targets = [seconds * i / count for i in range(count)] if seconds > 0 else [0.0]
        for frame in container.decode(stream):
            when = frame.time or 0.0
            if out and len(out) >= len(targets):
                break
            if when + 1e-3 >= targets[len(out)]:
                scale = long_side / max(frame.width, frame.height)
                out.append(frame.to_image(width=max(2, round(frame.width * scale)),
                                          height=max(2, round(frame.height * scale))))
    finally:
        container.close()
    return out


def preview(path: Path, max_bytes: int = PREVIEW_MAX_BYTES) -> tuple[bytes, str]:
    """A looping animated preview (WebP, or GIF without WebP support) of at most `max_bytes`: made
    smaller and with fewer frames until it fits (at worst two frames a few pixels wide)."""
    webp = features.check("webp")
    long_side, count = PREVIEW_LONG_SIDE, PREVIEW_FRAMES
    while True:
        frames = preview_frames(path, count, long_side)
        if len(frames) == 1:
            frames = frames * 2  # a one-frame video still previews as an animation (it loops one picture)
        out = io.BytesIO()
        step_ms = max(20, round(1000 * max(1, PREVIEW_FRAMES // count) / PREVIEW_FPS))
        if webp:
            frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=step_ms, loop=0,
                           quality=60, method=4, minimize_size=True)
        else:
            frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=step_ms, loop=0,
                           optimize=True)
        data = out.getvalue()
        if len(data) <= max_bytes or (long_side <= 16 and count <= 2):
            if len(data) > max_bytes:
                raise PackError(msg("pack.failed"))  # never in practice: two 16 px frames
            return data, ".webp" if webp else ".gif"
        long_side = max(16, int(long_side * 0.75))
        count = max(2, int(count * 0.75))


# --- the contact sheet ---------------------------------------------------------------------------
def sheet_row_top(i: int) -> int:
    """Where row `i` (0-based) starts on the contact sheet, in px from the top."""
    return SHEET_MARGIN + i * (SHEET_FRAME_HEIGHT + SHEET_GAP)


def sheet_height(rows: int) -> int:
    return 2 * SHEET_MARGIN + rows * SHEET_FRAME_HEIGHT + max(0, rows - 1) * SHEET_GAP


def contact_sheet(rows: Sequence[tuple[Any, list[Image.Image]]], lang: str = DEFAULT) -> Image.Image:
    """One row per take: its number and seed, then its frames, on a dark ground."""
    widest = max((sum(f.width for f in frames) + SHEET_GAP * max(0, len(frames) - 1) for _, frames in rows),
                 default=SHEET_FRAME_HEIGHT)
    width = 2 * SHEET_MARGIN + SHEET_LABEL_WIDTH + SHEET_GAP + widest
    sheet = Image.new("RGB", (width, sheet_height(len(rows))), SHEET_BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    big, small = fonts.font(26), fonts.font(18)
    for i, (snap, frames) in enumerate(rows):
        top = sheet_row_top(i)
        take = snap.take or i + 1
        seed = snap.seed_used if snap.seed_used is not None else (snap.settings or {}).get("seed")
        seed_text = t("pack.sheet_seed", lang, seed=seed) if seed is not None else t("pack.sheet_no_seed", lang)
        take_text = t("pack.sheet_take", lang, n=take)
        fonts.warn_once_without_cjk(take_text + seed_text, "The contact sheet")
        draw.text((SHEET_MARGIN, top + 8), take_text, font=big, fill=SHEET_TEXT)
        draw.text((SHEET_MARGIN, top + 48), seed_text, font=small, fill=SHEET_FAINT)
        seconds = _seconds(snap)
        if seconds:
            draw.text((SHEET_MARGIN, top + 76), formats.duration(seconds, lang), font=small, fill=SHEET_FAINT)
        x = SHEET_MARGIN + SHEET_LABEL_WIDTH + SHEET_GAP
        for frame in frames:
            sheet.paste(frame.convert("RGB"), (x, top))
            x += frame.width + SHEET_GAP
    return sheet


def _seconds(snap: Any) -> float | None:
    value = (snap.settings or {}).get("duration")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# --- notes ---------------------------------------------------------------------------------------
def _clock_time(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _notes_text(takes: Sequence[Any], feedback: Feedback | None, lang: str) -> str:
    """notes.txt: per take, how many viewers picked it and its notes (plain text, as written);
    "" when no take has a pick or a note (then there is no notes.txt)."""
    if feedback is None:
        return ""
    blocks: list[str] = []
    anything = False
    for i, snap in enumerate(takes):
        fb = feedback(snap.job_id)
        picks = len(getattr(fb, "picks", ()) or ()) if fb is not None else 0
        notes = sorted(getattr(fb, "notes", ()) or (), key=lambda n: (n.seconds is None, n.seconds or 0, n.at)) \
            if fb is not None else []
        anything = anything or bool(picks or notes)
        seed = snap.seed_used if snap.seed_used is not None else "—"
        lines = [t("pack.notes_take", lang, n=snap.take or i + 1, seed=seed, file=filenames.for_snapshot(snap))]
        if picks:
            lines.append("  " + (t("pack.notes_picks_one", lang) if picks == 1 else t("pack.notes_picks", lang, n=picks)))
        for note in notes:
            who = _one_line(note.name) or t("pack.someone", lang)
            text = _one_line(note.text)
            lines.append("  " + (t("pack.note_timed", lang, time=_clock_time(note.seconds), name=who, text=text)
                                 if note.seconds is not None else t("pack.note", lang, name=who, text=text)))
        if not picks and not notes:
            lines.append("  " + t("pack.notes_none", lang))
        blocks.append("\n".join(lines))
    if not anything:
        return ""
    return t("pack.notes_title", lang) + "\n\n" + "\n\n".join(blocks) + "\n"


def _one_line(text: Any) -> str:
    """A viewer's words on one line, without control characters (they are plain text in a file)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text or "")).split())
