"""The owner's side of share links, the part the page and MCP both use: which of the owner's videos a
Share names (a job, a batch's finished takes, a Compare set), making the link, the owner's links for
those videos, and the feedback on one job with its batch's takes.  No Gradio, no HTML: the page draws
it (ui/sharepanel.py, ui/feedback.py) and MCP says it as JSON (mcp/tools.py).

`shares` is the studio's ShareService (r2v_ui/share/service.py); the owner is always the caller's
own (a login, a browser on a shared studio, "" on a private one), never a value a client sends."""

from __future__ import annotations

from typing import Any, Iterable

from ..messages import msg
from ..share.model import Expiry, ShareError


class NothingToShare(ShareError):
    """A Share that names none of the owner's finished videos."""

    def __init__(self) -> None:
        super().__init__(msg("share.nothing"))


class SharingOff(ShareError):
    """The studio was started without a share service (nothing can be made)."""

    def __init__(self) -> None:
        super().__init__(msg("share.unavailable"))


def shareable(manager: Any, owner: str, job_ids: Iterable[str]) -> list[Any]:
    """The owner's jobs among `job_ids` that have a video, in the order given, each once."""
    seen: set[str] = set()
    out = []
    for job_id in job_ids or ():
        if not isinstance(job_id, str) or not job_id or job_id in seen:
            continue
        seen.add(job_id)
        snap = manager.snapshot(job_id, owner=owner)
        if snap is not None and snap.has_video:
            out.append(snap)
    return out


def with_batch(manager: Any, owner: str, job_id: str | None) -> list[str]:
    """A job and the other takes of its batch, in take order (a job on its own: just it)."""
    snap = manager.snapshot(job_id, owner=owner) if job_id else None
    if snap is None:
        return []
    if not snap.batch_id:
        return [snap.job_id]
    return [s.job_id for s in manager.batch(snap.batch_id, owner=owner)]


def expiry_of(value: Any) -> Any:
    """The share model's Expiry for "1d", "7d", "30d" or "never" (ValueError for anything else)."""
    return value if isinstance(value, Expiry) else Expiry(str(value))


def make_link(shares: Any, manager: Any, owner: str, job_ids: Iterable[str], expiry: Any,
              password: str | None, show_prompt: bool) -> Any:
    """A new link to the owner's finished videos among `job_ids` (a ShareLink); refusals are StudioErrors."""
    if shares is None:
        raise SharingOff()
    snaps = shareable(manager, owner, job_ids)
    if not snaps:
        raise NothingToShare()
    return shares.create(owner, tuple(s.job_id for s in snaps), expiry_of(expiry),
                         (password or None) if isinstance(password, str) else None, bool(show_prompt))


def links_for(shares: Any, owner: str, job_ids: Iterable[str]) -> list[Any]:
    """The owner's links that name any of `job_ids` and are not revoked, newest first."""
    if shares is None:
        return []
    found: dict[str, Any] = {}
    for job_id in job_ids or ():
        for link in shares.links_for_job(owner, job_id):
            if not link.revoked:
                found[link.token] = link
    return sorted(found.values(), key=lambda link: link.created_at, reverse=True)


def revoke(shares: Any, owner: str, token: str | None) -> bool:
    """Revoke one of the owner's links; False when it is not theirs (or already revoked)."""
    if shares is None or not token or not isinstance(token, str):
        return False
    return bool(shares.revoke(owner, token))


def shared_ids(shares: Any, owner: str) -> set[str]:
    """The owner's jobs that a live link names (History's "Shared" mark)."""
    return set(shares.shared_job_ids(owner)) if shares is not None else set()


def pick_counts(shares: Any, owner: str, job_ids: Iterable[str]) -> dict[str, int]:
    """How many viewers picked each of `job_ids`, over every link of the owner's that names it."""
    if shares is None:
        return {}
    return {job_id: shares.feedback_for_job(owner, job_id).pick_counts().get(job_id, 0) for job_id in job_ids}
