"""The job core's vocabulary: a job's states and a reference's kinds, in one place.

Both are `StrEnum`s, so a state is also the plain string the store keeps and the page compares
with ("succeeded" == JobState.SUCCEEDED): the words on disk do not change."""

from __future__ import annotations

from enum import StrEnum

from .. import spec
from ..messages import Msg, legacy, msg


class JobState(StrEnum):
    CHECKING = "checking"
    UPLOADING = "uploading"
    SUBMITTING = "submitting"
    QUEUED = "queued"
    PROCESSING = "processing"
    DOWNLOADING = "downloading"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # a submit that may have reached the service: the user decides
    DISCARDED = "discarded"

    @property
    def running(self) -> bool:
        return self in _RUNNING

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATES

    @property
    def stage_text(self) -> Msg:
        return STAGE_TEXT[self]


class ReferenceKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"

    @property
    def media_type(self) -> str:
        """The `type` the service expects in `media`."""
        return spec.REFERENCE_VIDEO if self is ReferenceKind.VIDEO else spec.REFERENCE_IMAGE

    @classmethod
    def of(cls, value: str | None) -> "ReferenceKind":
        """A card's kind as the page or an older record says it: anything but "video" is a picture."""
        return cls.VIDEO if value == cls.VIDEO else cls.IMAGE


_RUNNING = (JobState.CHECKING, JobState.UPLOADING, JobState.SUBMITTING, JobState.QUEUED, JobState.PROCESSING,
            JobState.DOWNLOADING)
RUNNING_STATES: tuple[JobState, ...] = _RUNNING
TERMINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.DISCARDED})

STATUS_FILTERS: dict[str, set[str] | None] = {
    "all": None,
    "running": set(RUNNING_STATES),
    "succeeded": {JobState.SUCCEEDED},
    "failed": {JobState.FAILED},
    "uncertain": {JobState.UNCERTAIN},
}
KEPT_FILTER = "kept"  # History's favourites: a filter on the job's mark, not on its state

STAGE_TEXT: dict[JobState, Msg] = {state: msg(f"stage.{state.value}") for state in JobState}


def stage_text(state: str) -> Msg:
    """The default words for a state, also for a state read from an older record."""
    try:
        return STAGE_TEXT[JobState(state)]
    except ValueError:
        return legacy(state)
