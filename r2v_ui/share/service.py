"""ShareService: the rules of the screening room over the store's share rows (store/shares.py).

The owner's side (the page's Share dialog, History, Compare, MCP): make a link for jobs they own that
have a video, list their links, revoke one, read the picks and notes.  The viewer's side (the share
routes only): open a link (a wrong password, a revoked, expired, locked or unknown link all answer
None, so the routes answer them alike), pick a take, leave a note — within the limits of model.py.

Passwords are kept as salted scrypt hashes (passwords.py); after a right password the routes keep a
pass for the link (`grant`, an HMAC of the link and its password hash) in a cookie, so the password is
never kept in the browser.  The service owns the one key that signs passes and the page's form keys
(`form_key`): kept in the data folder (SIGNING_KEY_FILE, mode 0600, made once), so a restart keeps
viewers in; a pass opens only a live link, so revoking, expiry or a deleted job still shut it.  Notes
are also limited per minute per viewer and per client address (held in memory): a viewer without a
cookie gets a new viewer id, but not a new address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import threading
import time
import unicodedata
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..atomic_files import secret_file
from ..jobs.states import JobState
from ..messages import msg
from . import passwords
from .model import (
    JOBS_PER_LINK,
    LOCK_SECONDS,
    NAME_MAX_CHARS,
    NOTE_MAX_CHARS,
    NOTES_PER_LINK,
    NOTES_PER_MINUTE,
    PICKS_PER_LINK,
    PICKS_PER_MINUTE,
    WRONG_TRIES,
    Expiry,
    Feedback,
    Note,
    Pick,
    ShareError,
    ShareLink,
)

if TYPE_CHECKING:
    from ..store import JobRecord, JobStore

VIEWER_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,64}")
MINUTE = 60.0
NOTE_SECONDS_MAX = 24 * 3600.0  # a note's video time beyond this is no time at all
SIGNING_KEY_FILE = "share-links.key"  # in the data folder: signs passes and form keys, never shown or logged
GUESSES_PER_MINUTE = 3 * WRONG_TRIES  # wrong passwords one client address may try a minute, on all links together


def _rate_keys(viewer: str, client: str) -> list[str]:
    """What a viewer's per-minute limits count against: the viewer, and their address when known."""
    return [f"viewer:{viewer}"] + ([f"client:{client}"] if client else [])


class _Windows:
    """How many events each key had in the last minute (in memory; a restart forgets)."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}

    def count(self, key: str, now: float) -> int:
        q = self._seen.get(key)
        if not q:
            return 0
        while q and q[0] <= now - MINUTE:
            q.popleft()
        if not q:
            del self._seen[key]
            return 0
        return len(q)

    def full(self, keys: list[str], now: float, most: int) -> bool:
        """Any of these keys had `most` events in the last minute already."""
        return any(self.count(k, now) >= most for k in keys)

    def add_all(self, keys: list[str], now: float) -> None:
        for k in keys:
            self.add(k, now)

    def add(self, key: str, now: float) -> None:
        self._seen.setdefault(key, deque()).append(now)
        if len(self._seen) > 10_000:  # forget the quiet ones, so strangers cannot fill memory
            for k in [k for k, q in self._seen.items() if not q or q[-1] <= now - MINUTE]:
                del self._seen[k]


class ShareService:
    def __init__(self, store: "JobStore", clock: Callable[[], float] = time.time, *, secret: bytes | None = None):
        """`secret`: the signing key; by default the studio's, kept in the store's data folder (signing_key)."""
        self.store = store
        self.rows = store.shares
        self.clock = clock
        self._secret = secret or signing_key(store.data_dir)
        self._lock = threading.Lock()
        self._notes = _Windows()
        self._guesses = _Windows()
        self._picks = _Windows()

    # --- the owner's side -------------------------------------------------------------------------
    def create(self, owner: str, job_ids: Iterable[str], expiry: Expiry, password: str | None,
               show_prompt: bool) -> ShareLink:
        """A new link to the owner's finished jobs, in the order given (duplicates once)."""
        ids = tuple(dict.fromkeys(str(j) for j in job_ids))
        if not ids:
            raise ShareError(msg("share.no_jobs"))
        if len(ids) > JOBS_PER_LINK:
            raise ShareError(msg("share.too_many_jobs", most=JOBS_PER_LINK))
        for job_id in ids:
            rec = self.store.get(job_id)
            if rec is None or rec.owner != owner:
                raise ShareError(msg("share.not_yours"))
            if not self._has_video(rec):
                raise ShareError(msg("share.no_video"))
        password = password or None
        if password is not None and len(password) > passwords.PASSWORD_MAX_CHARS:
            raise ShareError(msg("share.password_too_long", most=passwords.PASSWORD_MAX_CHARS))
        now = self.clock()
        seconds = Expiry(expiry).seconds
        link = ShareLink(token=secrets.token_urlsafe(24), owner=owner, job_ids=ids, created_at=now,
                         expires_at=None if seconds is None else now + seconds, show_prompt=bool(show_prompt),
                         has_password=password is not None, views=0, revoked=False)
        self.rows.insert(link, passwords.hash_password(password) if password else None)
        return link

    def links_for_owner(self, owner: str) -> list[ShareLink]:
        return self.rows.links(owner)

    def links_for_job(self, owner: str, job_id: str) -> list[ShareLink]:
        return self.rows.links(owner, job_id)

    def shared_job_ids(self, owner: str) -> set[str]:
        """The owner's jobs that a live link shows."""
        return self.rows.shared_job_ids(owner, self.clock())

    def revoke(self, owner: str, token: str) -> bool:
        return self.rows.revoke(owner, token)

    def feedback_for_job(self, owner: str, job_id: str) -> Feedback:
        return self.rows.feedback(owner, job_id=job_id)

    def feedback_for_link(self, owner: str, token: str) -> Feedback:
        return self.rows.feedback(owner, token=token)

    # --- the viewer's side ------------------------------------------------------------------------
    def peek(self, token: str) -> ShareLink | None:
        """The link if it is live and not locked, without a password, counting nothing (None otherwise)."""
        row = self._live(token)
        if row is None or (row.locked_until is not None and self.clock() < row.locked_until):
            return None
        return row.link

    def _live(self, token: str) -> Any:
        """The link's row if the link is live (locked or not), else None."""
        row = self.rows.row(token)
        return row if row is not None and row.link.live(self.clock()) else None

    def open(self, token: str, password: str | None, client: str, *, count_view: bool = True) -> ShareLink | None:
        """The link, when it is live, not locked and (if it has one) `password` is its password; the view
        is counted.  A wrong password counts toward the lock (WRONG_TRIES in a row lock it for
        LOCK_SECONDS, the right one too); a `client` address that guessed wrong GUESSES_PER_MINUTE times in
        the last minute, on any links, is not heard until the minute is over (no password is hashed for
        it).  Unknown, revoked, expired, locked, wrong, too many guesses: all None."""
        row = self.rows.row(token)
        now = self.clock()
        if row is None or not row.link.live(now) or (row.locked_until is not None and now < row.locked_until):
            return None
        if row.password_hash is not None:
            if not password:
                return None
            key = f"client:{client}"
            with self._lock:
                if self._guesses.count(key, now) >= GUESSES_PER_MINUTE:
                    return None
            if not passwords.check_password(password, row.password_hash):
                self.rows.wrong_try(token, now, WRONG_TRIES, LOCK_SECONDS)
                with self._lock:
                    self._guesses.add(key, now)
                return None
            if row.wrong_tries:
                self.rows.right_try(token)
        if count_view:
            self.rows.count_view(token)
        return self.rows.row(token).link if count_view else row.link

    def seen(self, token: str) -> None:
        """One more view of a link whose page was shown (after its password, when it has one)."""
        self.rows.count_view(token)

    def grant(self, link: ShareLink) -> str:
        """A pass for a link opened with its password (kept by the viewer's browser in a cookie)."""
        row = self.rows.row(link.token)
        return self._sign(link.token, row.password_hash if row else None)

    def admitted(self, token: str, grant: str | None) -> ShareLink | None:
        """The link, when it is live and needs no password (and is not locked), or `grant` is its pass.
        A lock stops guessing, not the viewers already in: with a pass, a locked link still opens (else
        anyone holding only the token could shut them all out with ten wrong posts a quarter hour)."""
        row = self._live(token)
        if row is None:
            return None
        if not row.link.has_password:
            return self.peek(token)
        if not grant or not hmac.compare_digest(self._sign(token, row.password_hash), grant):
            return None
        return row.link

    def form_key(self, token: str, viewer: str) -> str:
        """The key the share page's forms carry: made for this link and this viewer's cookie."""
        return self._mac(f"form|{token}|{viewer}")

    def records(self, link: ShareLink) -> list["JobRecord"]:
        """The link's jobs that still have their video, in the link's order."""
        out = []
        for job_id in link.job_ids:
            rec = self.store.get(job_id)
            if rec is not None and rec.owner == link.owner and self._has_video(rec):
                out.append(rec)
        return out

    def viewer_pick(self, token: str, viewer: str) -> str | None:
        return self.rows.viewer_pick(token, viewer) if VIEWER_SHAPE.fullmatch(viewer or "") else None

    def set_pick(self, token: str, job_id: str, viewer: str, name: str = "", *, client: str = "") -> Pick:
        """This viewer prefers `job_id` on this link (a new pick replaces their earlier one).  Limited like
        notes: PICKS_PER_MINUTE a minute per viewer and per client address (a cookie-less browser is a new
        viewer each time), and PICKS_PER_LINK viewers' picks a link."""
        link = self._viewer_link(token, job_id, viewer)
        who = _clean_name(name)

        def write(now: float) -> Pick:
            pick = Pick(link.token, job_id, viewer, who, now)
            if not self.rows.set_pick(pick, PICKS_PER_LINK):
                raise ShareError(msg("share.picks_full", most=PICKS_PER_LINK))
            return pick
        return self._within_rate(self._picks, viewer, client, PICKS_PER_MINUTE, "share.picks_too_fast", write)

    def add_note(self, token: str, job_id: str, viewer: str, name: str, text: str, seconds: float | None,
                 *, client: str = "") -> Note:
        """A viewer's note on one of the link's videos, optionally at a time of it (seconds)."""
        link = self._viewer_link(token, job_id, viewer)
        body = _clean_text(text)
        if not body:
            raise ShareError(msg("share.note_empty"))
        if len(body) > NOTE_MAX_CHARS:
            raise ShareError(msg("share.note_too_long", most=NOTE_MAX_CHARS, count=len(body)))
        who = _clean_name(name)
        at = _video_time(seconds)

        def write(now: float) -> Note:
            note = self.rows.add_note(Note(0, link.token, job_id, viewer, who, body, at, now), NOTES_PER_LINK)
            if note is None:
                raise ShareError(msg("share.notes_full", most=NOTES_PER_LINK))
            return note
        return self._within_rate(self._notes, viewer, client, NOTES_PER_MINUTE, "share.too_fast", write)

    # --- inside -------------------------------------------------------------------------------------
    def _within_rate(self, windows: _Windows, viewer: str, client: str, most: int, too_fast: str,
                     write: Callable[[float], Any]) -> Any:
        """`write(now)` under the lock, unless this viewer or their address did `most` of it in the last
        minute already (refused with the catalog's `too_fast`); counted once it is written."""
        keys = _rate_keys(viewer, client)
        with self._lock:
            now = self.clock()
            if windows.full(keys, now, most):
                raise ShareError(msg(too_fast, most=most))
            made = write(now)
            windows.add_all(keys, now)
        return made

    def _viewer_link(self, token: str, job_id: str, viewer: str) -> ShareLink:
        # live is enough: the routes let in only admitted viewers, who may write while a lock stops guessers
        row = self._live(token)
        link = row.link if row is not None else None
        if link is None:
            raise ShareError(msg("share.gone"))
        if job_id not in link.job_ids or not VIEWER_SHAPE.fullmatch(viewer or ""):
            raise ShareError(msg("share.not_on_link"))
        return link

    def _sign(self, token: str, password_hash: str | None) -> str:
        return self._mac(f"pass|{token}|{password_hash or ''}")

    def _mac(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    def _has_video(self, rec: Any) -> bool:
        path = self.store.absolute(rec.video_path)
        return rec.state == JobState.SUCCEEDED and path is not None and path.is_file()


def signing_key(data_dir: Any) -> bytes:
    """The studio's key for share passes and form keys, made once per data folder (SIGNING_KEY_FILE)."""
    return secret_file(Path(data_dir) / SIGNING_KEY_FILE, lambda: secrets.token_urlsafe(32)).encode("ascii")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_text(text: Any) -> str:
    """A note's text as kept: normalised line ends, no control or direction-changing characters."""
    body = unicodedata.normalize("NFC", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", body).strip()


def _clean_name(name: Any) -> str:
    who = " ".join(_clean_text(name).split())
    if len(who) > NAME_MAX_CHARS:
        raise ShareError(msg("share.name_too_long", most=NAME_MAX_CHARS))
    return who


def _video_time(seconds: Any) -> float | None:
    if seconds is None or seconds == "":
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return None
    return round(value, 2) if math.isfinite(value) and 0 <= value <= NOTE_SECONDS_MAX else None
