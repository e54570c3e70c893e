"""What every check of a reference file shares, whatever its kind: the verdict (`MediaReport`), the
kinds and verdicts as words, the file being checked (`CheckedFile`: its name as the user knows it,
its size, where repaired copies go, the decode budget), the errors that mean "cannot be read", and
how a refused format is named to the user.  The checks themselves live by kind: pictures.py,
video.py, audio.py (the last two read their containers through containers.py)."""

from __future__ import annotations

import re
import struct
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import av

from ..messages import Msg
from .decode_budget import DecodeBudget

IMAGE, VIDEO, AUDIO = "image", "video", "audio"
KINDS: tuple[str, ...] = (IMAGE, VIDEO, AUDIO)
ACCEPTED, FIXED, REFUSED = "accepted", "fixed", "refused"

# What reading a damaged, cut-off or hostile file may raise: each means "cannot be read", never a bug.
READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, MemoryError, av.error.FFmpegError)
FORMAT_LABELS = {  # how a refused format is named to the user
    "matroska,webm": "WebM/MKV", "avi": "AVI", "flv": "FLV", "mpeg": "MPEG", "mpegts": "MPEG-TS",
    "asf": "WMV/ASF", "ogg": "Ogg", "aac": "AAC", "amr": "AMR", "aiff": "AIFF", "gif": "GIF",
}


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


@dataclass
class CheckedFile:
    """One file being checked: what every kind's check reads and how it answers."""

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
