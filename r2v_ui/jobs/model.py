"""The job core's data: what the page hands in (`JobDraft` of `ReferenceInput`s), what a job keeps
about each reference (`ReferenceRecord`), and what the page reads back (`JobSnapshot`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping

from ..errors import StudioError
from ..messages import Msg
from ..spec import GenerationRequest, MediaItem, RequestSettings
from ..storyboard import Storyboard
from .states import TERMINAL_STATES, ReferenceKind


@dataclass(frozen=True)
class ReferenceInput:
    """One character card as handed to the manager."""

    kind: str  # a ReferenceKind: "image" | "video"
    path: Path | None = None
    url: str | None = None
    voice_path: Path | None = None
    voice_url: str | None = None
    name: str = ""
    voice_name: str = ""  # what the user called the voice clip (its file name), kept through remix and reload
    duration: float | None = None  # seconds, for reference videos (price range)
    content_type: str | None = None  # from media.probe (by content, not extension); probed again if unset
    voice_content_type: str | None = None
    character: str = ""  # the card's character name, written `@Name` in the prompt ("" for none)

    @property
    def media_type(self) -> str:
        return ReferenceKind.of(self.kind).media_type


@dataclass(frozen=True, kw_only=True)
class JobDraft(RequestSettings):
    """A request before anything is paid: the settings (spec.RequestSettings) and the references."""

    references: tuple[ReferenceInput, ...]
    storyboard: Storyboard | None = None  # the shot list `prompt` was composed from (Multi shot), kept for a remix

    def settings(self) -> dict[str, Any]:
        """The request's settings and, with a storyboard, its shot list (kept in the job's settings, never sent)."""
        out = super().settings()
        if self.storyboard is not None:
            out["storyboard"] = self.storyboard.to_record()
        return out

    @staticmethod
    def settings_from(data: Mapping[str, Any]) -> dict[str, Any]:
        return RequestSettings.settings_from(data) | {"storyboard": Storyboard.from_record(data.get("storyboard"))}

    def preview_request(self) -> GenerationRequest:
        """The request with placeholder links for local files: validation before anything is paid."""
        media = []
        for i, r in enumerate(self.references, start=1):
            url = r.url or f"https://pending.invalid/character{i}"
            voice = r.voice_url or (f"https://pending.invalid/voice{i}" if r.voice_path else None)
            media.append(MediaItem(url=url, type=r.media_type, reference_voice=voice))
        return self.request_with(media)


@dataclass(frozen=True)
class ReferenceRecord:
    """What a job keeps about one reference (the job record's `references`, as dicts on disk).

    `source`/`voice_source` are the user's own paths: kept in the record for a remix, never in a
    sidecar.  `kept`/`voice_kept` are the library copies (relative to the data folder)."""

    kind: str = ReferenceKind.IMAGE
    name: str = ""
    source: str | None = None
    url: str | None = None
    voice_source: str | None = None
    voice_url: str | None = None
    voice_name: str | None = None
    duration: float | None = None
    content_type: str | None = None
    voice_content_type: str | None = None
    kept: str | None = None
    sha256: str | None = None
    voice_kept: str | None = None
    voice_sha256: str | None = None
    character: str = ""  # the card's character name (`@Name`), so a remix resolves the prompt as written

    @classmethod
    def of(cls, r: ReferenceInput) -> "ReferenceRecord":
        return cls(
            kind=ReferenceKind.of(r.kind), name=r.name or (r.path.name if r.path else (r.url or "")),
            source=str(r.path) if r.path else None, url=r.url,
            voice_source=str(r.voice_path) if r.voice_path else None, voice_url=r.voice_url,
            voice_name=r.voice_name or (r.voice_path.name if r.voice_path else (r.voice_url or None)),
            duration=r.duration, content_type=r.content_type, voice_content_type=r.voice_content_type,
            character=r.character,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReferenceRecord":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, ReferenceKind) else v) for k, v in asdict(self).items() if v is not None
                or k in _ALWAYS}

    def as_input(self, absolute: Callable[[str], Path]) -> ReferenceInput:
        """The reference as a draft takes it again (remix): the library copies where kept, else the
        user's own files while they still exist.  `absolute`: the store's data-folder resolver."""
        return ReferenceInput(
            kind=self.kind, path=absolute(self.kept) if self.kept else _existing(self.source), url=self.url,
            voice_path=absolute(self.voice_kept) if self.voice_kept else _existing(self.voice_source),
            voice_url=self.voice_url, name=self.name, voice_name=self.voice_name or "", duration=self.duration,
            content_type=self.content_type, voice_content_type=self.voice_content_type, character=self.character)

    @property
    def media_type(self) -> str:
        return ReferenceKind.of(self.kind).media_type


def _existing(value: str | None) -> Path | None:
    return Path(value) if value and Path(value).is_file() else None


_ALWAYS = {"kind", "name", "source", "url", "voice_source", "voice_url", "voice_name", "duration", "content_type",
           "voice_content_type"}


@dataclass(frozen=True)
class JobSnapshot:
    job_id: str
    owner: str
    state: str  # a JobState
    stage_text: Msg  # a code with parameters (r2v_ui/messages): the page renders it in its reader's language
    progress: float | None
    eta_seconds: int | None
    task_id: str | None
    error: Msg | None
    video_path: Path | None
    poster_path: Path | None
    settings: dict[str, Any]
    references: tuple[dict[str, Any], ...]
    warnings: tuple[Msg, ...]
    price_label: Msg | None  # the estimate when it started (stored as a code; an old job's as its English text)
    seed_used: int | None
    timings: dict[str, Any]
    created_at: float
    updated_at: float
    version: int
    target: str = "demo"
    uploads: dict[str, float] = field(default_factory=dict)  # per file, 0..1, while uploading
    notice: Msg | None = None  # why a running job is not moving right now, and what to do (while it lasts)
    video_missing: bool = False  # finished, but its file is no longer in the library
    batch_id: str | None = None  # the takes one click started share it
    take: int | None = None  # 1.. within its batch
    favourite: bool = False  # "Keep this one"
    cost: dict[str, Any] = field(default_factory=dict)  # r2v_ui/ledger.py: estimate, billed ({} in demo mode)

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


@dataclass(frozen=True)
class Target:
    """Where a job is sent: the embedded emulator (demo) or a real service (live)."""

    name: str
    base_url: str


class JobNotFound(StudioError):
    pass

