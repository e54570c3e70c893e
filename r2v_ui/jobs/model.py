"""The job core's data: what the page hands in (`JobDraft` of `Reference`s, checked once into a
`CheckedDraft`), the one reference type a job keeps to the request body (`Reference`), and what the
page reads back (`JobSnapshot`, with typed queries: `in_progress`, `has_video`, …)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from ..errors import StudioError
from ..messages import Msg
from ..request import GenerationRequest, MediaItem, RequestInvalid, RequestSettings
from ..storyboard import Storyboard
from .states import TERMINAL_STATES, JobState, ReferenceKind


@dataclass(frozen=True)
class Reference:
    """One character's reference, the one shape it keeps from the card to the request body.

    A card turns into it once (`workspace.cast.Card.reference`); a draft carries it; the job's record
    keeps it as a row (`to_dict`, the same keys as ever, so old records load with `from_dict`); the
    runner fills in what the library kept (`kept`, `sha256`) and, once hosted, makes the body's
    `media` item from it (`media_item`).  `path`/`voice_path` are the files the job uses (the user's
    own, or the studio's checked copies): kept in the record for a remix as `source`/`voice_source`,
    never in a sidecar.  `kept`/`voice_kept` are the library copies (relative to the data folder)."""

    kind: str = ReferenceKind.IMAGE  # a ReferenceKind: "image" | "video"
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
    kept: str | None = None
    sha256: str | None = None
    voice_kept: str | None = None
    voice_sha256: str | None = None
    # The links the request body carried for this reference, recorded at submit (the hand-over
    # pack's recipe says the body as sent, workspace/recipe.py); a remix clears them.
    sent_url: str | None = None
    sent_voice_url: str | None = None

    @property
    def media_type(self) -> str:
        return ReferenceKind.of(self.kind).media_type

    @property
    def is_video(self) -> bool:
        return ReferenceKind.of(self.kind) is ReferenceKind.VIDEO

    @property
    def local(self) -> bool:
        """Whether a file of this reference must be hosted (a picture, a clip or a voice on disk)."""
        return bool(self.path or self.voice_path)

    def media_item(self, url: str, voice_url: str | None) -> MediaItem:
        """The request body's `media` entry for this reference, once its files have links."""
        return MediaItem(url=url, type=self.media_type, reference_voice=voice_url)

    def to_dict(self) -> dict[str, Any]:
        """The row a job's record keeps (and its sidecar, without the user's paths): the keys records
        have always had, so a record written by any version reads back."""
        out: dict[str, Any] = {
            "kind": str(ReferenceKind.of(self.kind)),
            "name": self.name or (self.path.name if self.path else (self.url or "")),
            "source": str(self.path) if self.path else None,
            "url": self.url,
            "voice_source": str(self.voice_path) if self.voice_path else None,
            "voice_url": self.voice_url,
            "voice_name": self.voice_name or (self.voice_path.name if self.voice_path else (self.voice_url or None)),
            "duration": self.duration,
            "content_type": self.content_type,
            "voice_content_type": self.voice_content_type,
        }
        for key in ("kept", "sha256", "voice_kept", "voice_sha256", "character", "sent_url", "sent_voice_url"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Reference":
        """A record's row (of any version) read back; keys it does not know are left aside."""
        known = {f.name for f in fields(cls)} - {"path", "voice_path"}
        values = {k: v for k, v in data.items() if k in known}
        values["voice_name"] = values.get("voice_name") or ""
        values["character"] = values.get("character") or ""
        source, voice_source = data.get("source"), data.get("voice_source")
        return cls(path=Path(source) if source else None, voice_path=Path(voice_source) if voice_source else None,
                   **values)

    def for_remix(self, absolute: Callable[[str], Path]) -> "Reference":
        """The reference as a new draft takes it again (remix): the library copies where kept, else
        the user's own files while they still exist.  `absolute`: the store's data-folder resolver."""
        return replace(
            self, path=absolute(self.kept) if self.kept else _existing(self.path),
            voice_path=absolute(self.voice_kept) if self.voice_kept else _existing(self.voice_path),
            kept=None, sha256=None, voice_kept=None, voice_sha256=None, sent_url=None, sent_voice_url=None)


@dataclass(frozen=True, kw_only=True)
class JobDraft(RequestSettings):
    """A request before anything is paid: the settings (request.RequestSettings) and the references."""

    references: tuple[Reference, ...]
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
        """The request this draft becomes, with placeholder links for local files (each is hosted
        later, one for one, with the same type): what `checked` validates."""
        return self.request_with(
            r.media_item(r.url or f"https://pending.invalid/character{i}",
                         r.voice_url or (f"https://pending.invalid/voice{i}" if r.voice_path else None))
            for i, r in enumerate(self.references, start=1))

    def checked(self) -> "CheckedDraft":
        """The one check of a request before anything is paid, where the draft becomes a request:
        the contract's rules over `preview_request`.  Raises RequestInvalid (a StudioError) in words."""
        validation = self.preview_request().validate()
        if not validation.ok:
            raise RequestInvalid(validation)
        return CheckedDraft(self, tuple(p.msg for p in validation.warnings))


@dataclass(frozen=True)
class CheckedDraft:
    """A draft that passed the contract's check (`JobDraft.checked`), with the warnings it left: what
    the manager starts.  Nothing checks it again on its way to the request body."""

    draft: JobDraft
    warnings: tuple[Msg, ...] = ()


def _existing(value: Path | None) -> Path | None:
    return value if value and value.is_file() else None


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

    # Typed queries: the page and MCP ask these, never compare `state` with a word.
    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def needs_decision(self) -> bool:
        """Submitted, but no usable answer came back: the user decides (attach, resubmit, discard)."""
        return self.state == JobState.UNCERTAIN

    @property
    def in_progress(self) -> bool:
        """Still moving by itself: neither ended nor waiting for the user's decision."""
        return not self.terminal and not self.needs_decision

    @property
    def succeeded(self) -> bool:
        return self.state == JobState.SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.state == JobState.FAILED

    @property
    def discarded(self) -> bool:
        return self.state == JobState.DISCARDED

    @property
    def has_video(self) -> bool:
        """Finished, and its video is known to the library (see `video_missing` for a file removed by hand)."""
        return self.succeeded and self.video_path is not None

    @property
    def can_retry(self) -> bool:
        """"Try again" is offered: the job failed, or its video was removed from the library."""
        return self.failed or self.video_missing

    @property
    def ended_without_video(self) -> bool:
        """A take that will bring no video: failed, undecided, discarded, or its file gone."""
        return self.failed or self.needs_decision or self.discarded or self.video_missing


@dataclass(frozen=True)
class Target:
    """Where a job is sent: the embedded emulator (demo) or a real service (live)."""

    name: str
    base_url: str


class JobNotFound(StudioError):
    pass

