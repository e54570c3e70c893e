"""Share links, their jobs, picks and notes: the rows of migration 9 and their copy on disk.

Every change to a link's rows rewrites `shares/<token>.json`, the link whole (its fields, the hash of
its password, its job ids in order, its picks and notes), so a database rebuilt from the data folder
gets every link back (`put_back`, called by rebuild.py) with its notes and picks, and a link a rebuild
has never seen cannot appear.  A job deleted from History takes its rows in every link with it
(`forget_job`); a link left naming no job is dead (ShareLink.live).

The rules (who may share what, passwords, limits) are r2v_ui/share/service.py's; this file only keeps
rows, under one lock so a link's file always matches its rows."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..atomic_files import read_json, write_json_atomic
from ..share.model import Feedback, Note, Pick, ShareLink
from .database import Database, together

VIEWS_MIRROR_SECONDS = 60.0  # a link's file is rewritten for its views at most this often
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what secrets.token_urlsafe gives; nothing else is a file name


@dataclass(frozen=True)
class LinkRow:
    """A link with what only the service sees: its password hash and its wrong-password count."""

    link: ShareLink
    password_hash: str | None
    wrong_tries: int
    locked_until: float | None


class Shares:
    """The share tables through the store's database; `db` is set by JobStore once it is open."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.db: Database | None = None
        self._lock = threading.RLock()
        self._views_mirrored: dict[str, float] = {}  # token → when a view last rewrote its file (monotonic)

    # --- files ------------------------------------------------------------------------------------
    def path(self, token: str) -> Path | None:
        return self.folder / f"{token}.json" if TOKEN_SHAPE.fullmatch(token or "") else None

    def _mirror(self, conn: sqlite3.Connection, token: str, *, durable: bool = True) -> None:
        path = self.path(token)
        if path is None:
            return
        data = _dump(conn, token)
        if data is None:
            path.unlink(missing_ok=True)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, data, durable=durable)

    def _change(self, token: str, fn: Any, *, durable: bool = True) -> Any:
        """fn(conn) in one transaction, then the link's file rewritten — both under the lock."""
        assert self.db is not None
        with self._lock:
            def run(conn: sqlite3.Connection) -> Any:
                out = together(conn, lambda: fn(conn))
                self._mirror(conn, token, durable=durable)
                return out
            return self.db.run(run)

    def _read(self, fn: Any) -> Any:
        assert self.db is not None
        return self.db.run(fn)

    # --- links ------------------------------------------------------------------------------------
    def insert(self, link: ShareLink, password_hash: str | None) -> None:
        def write(c: sqlite3.Connection) -> None:
            c.execute("""INSERT INTO share_links (token, owner, created_at, expires_at, show_prompt, password_hash)
                         VALUES (?, ?, ?, ?, ?, ?)""",
                      (link.token, link.owner, link.created_at, link.expires_at, int(link.show_prompt), password_hash))
            c.executemany("INSERT INTO share_link_jobs (token, job_id, position) VALUES (?, ?, ?)",
                          [(link.token, j, i) for i, j in enumerate(link.job_ids)])
        self._change(link.token, write)

    def row(self, token: str) -> LinkRow | None:
        if not TOKEN_SHAPE.fullmatch(token or ""):
            return None

        def read(c: sqlite3.Connection) -> LinkRow | None:
            r = c.execute("SELECT * FROM share_links WHERE token = ?", (token,)).fetchone()
            return None if r is None else LinkRow(_link(r, _job_ids(c, token)), r["password_hash"],
                                                  int(r["wrong_tries"]), r["locked_until"])
        return self._read(read)

    def links(self, owner: str, job_id: str | None = None) -> list[ShareLink]:
        """The owner's links, newest first; with `job_id`, only those naming that job."""
        def read(c: sqlite3.Connection) -> list[ShareLink]:
            if job_id is None:
                rows = c.execute("SELECT * FROM share_links WHERE owner = ? ORDER BY created_at DESC, token",
                                 (owner,)).fetchall()
            else:
                rows = c.execute("""SELECT l.* FROM share_links l JOIN share_link_jobs j ON j.token = l.token
                                    WHERE l.owner = ? AND j.job_id = ? ORDER BY l.created_at DESC, l.token""",
                                 (owner, job_id)).fetchall()
            return [_link(r, _job_ids(c, r["token"])) for r in rows]
        return self._read(read)

    def revoke(self, owner: str, token: str) -> bool:
        if not TOKEN_SHAPE.fullmatch(token or ""):
            return False
        return bool(self._change(token, lambda c: c.execute(
            "UPDATE share_links SET revoked = 1 WHERE token = ? AND owner = ?", (token, owner)).rowcount))

    def count_view(self, token: str) -> None:
        """One more view.  The link's file (up to ~1 MB with its notes) is rewritten for views at most once
        every VIEWS_MIRROR_SECONDS: every page open rewriting it let anyone holding the link make the
        studio write without end; a rebuild from the files may miss the last minute's views."""
        def write(c: sqlite3.Connection) -> None:
            together(c, lambda: c.execute("UPDATE share_links SET views = views + 1 WHERE token = ?", (token,)))
            now = time.monotonic()
            if now - self._views_mirrored.get(token, -VIEWS_MIRROR_SECONDS) >= VIEWS_MIRROR_SECONDS:
                self._views_mirrored[token] = now
                self._mirror(c, token, durable=False)
        assert self.db is not None
        with self._lock:
            self.db.run(write)

    def wrong_try(self, token: str, now: float, tries: int, lock_seconds: float) -> None:
        """One more wrong password; the `tries`-th locks the link for `lock_seconds` and starts counting anew."""
        def write(c: sqlite3.Connection) -> None:
            c.execute("UPDATE share_links SET wrong_tries = wrong_tries + 1 WHERE token = ?", (token,))
            c.execute("""UPDATE share_links SET wrong_tries = 0, locked_until = ?
                         WHERE token = ? AND wrong_tries >= ?""", (now + lock_seconds, token, tries))
        self._change(token, write)

    def right_try(self, token: str) -> None:
        self._change(token, lambda c: c.execute(
            "UPDATE share_links SET wrong_tries = 0, locked_until = NULL WHERE token = ? AND wrong_tries > 0",
            (token,)))

    # --- picks and notes -----------------------------------------------------------------------
    def set_pick(self, pick: Pick, most: int | None = None) -> bool:
        """Keep the viewer's pick (replacing theirs); False, keeping nothing, when the viewer has none yet
        and the link already holds `most` viewers' picks."""
        def write(c: sqlite3.Connection) -> bool:
            if most is not None and c.execute(
                    "SELECT 1 FROM share_picks WHERE token = ? AND viewer = ?", (pick.token, pick.viewer)).fetchone() is None:
                if c.execute("SELECT count(*) FROM share_picks WHERE token = ?", (pick.token,)).fetchone()[0] >= most:
                    return False
            c.execute("""INSERT INTO share_picks (token, viewer, job_id, name, at) VALUES (?, ?, ?, ?, ?)
                         ON CONFLICT(token, viewer) DO UPDATE SET job_id = excluded.job_id, name = excluded.name,
                         at = excluded.at""", (pick.token, pick.viewer, pick.job_id, pick.name, pick.at))
            return True
        return bool(self._change(pick.token, write))

    def add_note(self, note: Note, most: int) -> Note | None:
        """Insert the note (its id is given by the table) unless the link already has `most` notes."""
        def write(c: sqlite3.Connection) -> Note | None:
            n = c.execute("SELECT count(*) FROM share_notes WHERE token = ?", (note.token,)).fetchone()[0]
            if n >= most:
                return None
            cur = c.execute("""INSERT INTO share_notes (token, job_id, viewer, name, text, seconds, at)
                               VALUES (?, ?, ?, ?, ?, ?, ?)""",
                            (note.token, note.job_id, note.viewer, note.name, note.text, note.seconds, note.at))
            return Note(int(cur.lastrowid), note.token, note.job_id, note.viewer, note.name, note.text,
                        note.seconds, note.at)
        return self._change(note.token, write)

    def feedback(self, owner: str, *, token: str | None = None, job_id: str | None = None) -> Feedback:
        """Picks and notes on the owner's links: of one link, or naming one job (oldest first)."""
        where, args = "l.owner = ?", [owner]
        if token is not None:
            where, args = where + " AND x.token = ?", [*args, token]
        if job_id is not None:
            where, args = where + " AND x.job_id = ?", [*args, job_id]

        def read(c: sqlite3.Connection) -> Feedback:
            picks = c.execute(f"""SELECT x.* FROM share_picks x JOIN share_links l ON l.token = x.token
                                  WHERE {where} ORDER BY x.at, x.viewer""", args).fetchall()
            notes = c.execute(f"""SELECT x.* FROM share_notes x JOIN share_links l ON l.token = x.token
                                  WHERE {where} ORDER BY x.at, x.id""", args).fetchall()
            return Feedback(tuple(_pick(r) for r in picks), tuple(_note(r) for r in notes))
        return self._read(read)

    def viewer_pick(self, token: str, viewer: str) -> str | None:
        """The job this viewer picked on this link, if any."""
        r = self._read(lambda c: c.execute("SELECT job_id FROM share_picks WHERE token = ? AND viewer = ?",
                                           (token, viewer)).fetchone())
        return r[0] if r else None

    def shared_job_ids(self, owner: str, now: float) -> set[str]:
        rows = self._read(lambda c: c.execute(
            """SELECT DISTINCT j.job_id FROM share_link_jobs j JOIN share_links l ON l.token = j.token
               WHERE l.owner = ? AND l.revoked = 0 AND (l.expires_at IS NULL OR l.expires_at > ?)""",
            (owner, now)).fetchall())
        return {r[0] for r in rows}

    # --- a deleted job, a rebuilt database -----------------------------------------------------
    def forget_job(self, job_id: str) -> None:
        """A deleted job leaves every link: its place, its picks and its notes."""
        assert self.db is not None
        tokens = [r[0] for r in self._read(lambda c: c.execute(
            "SELECT token FROM share_link_jobs WHERE job_id = ?", (job_id,)).fetchall())]
        for token in tokens:
            self._change(token, lambda c, t=token: [c.execute(f"DELETE FROM {table} WHERE token = ? AND job_id = ?",
                                                              (t, job_id))
                                                    for table in ("share_link_jobs", "share_picks", "share_notes")])


def put_back(conn: sqlite3.Connection, folder: Path) -> int:
    """Every link kept in `folder` that the database lacks, with its jobs, picks and notes; runs inside
    the rebuild's transaction.  Returns how many links were put back."""
    n = 0
    for path in sorted(Path(folder).glob("*.json")):
        data = read_json(path)
        if not data or not TOKEN_SHAPE.fullmatch(str(data.get("token", ""))) or path.stem != data["token"]:
            continue
        token = data["token"]
        try:
            added = conn.execute(
                """INSERT OR IGNORE INTO share_links (token, owner, created_at, expires_at, show_prompt,
                       password_hash, views, revoked, wrong_tries, locked_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (token, str(data.get("owner", "")), float(data["created_at"]), data.get("expires_at"),
                 int(bool(data.get("show_prompt"))), data.get("password_hash"), int(data.get("views") or 0),
                 int(bool(data.get("revoked"))), int(data.get("wrong_tries") or 0), data.get("locked_until"))).rowcount
        except (KeyError, TypeError, ValueError):
            continue
        if not added:
            continue
        n += 1
        conn.executemany("INSERT OR IGNORE INTO share_link_jobs (token, job_id, position) VALUES (?, ?, ?)",
                         [(token, str(j), i) for i, j in enumerate(data.get("job_ids") or [])])
        conn.executemany("INSERT OR IGNORE INTO share_picks (token, viewer, job_id, name, at) VALUES (?, ?, ?, ?, ?)",
                         [(token, p["viewer"], p["job_id"], p.get("name", ""), p["at"]) for p in _dicts(data, "picks")])
        conn.executemany(
            "INSERT OR IGNORE INTO share_notes (id, token, job_id, viewer, name, text, seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(q["id"], token, q["job_id"], q["viewer"], q.get("name", ""), q["text"], q.get("seconds"), q["at"])
             for q in _dicts(data, "notes")])
    return n


def _dicts(data: dict[str, Any], key: str) -> Iterable[dict[str, Any]]:
    return [d for d in data.get(key) or [] if isinstance(d, dict)]


def _dump(conn: sqlite3.Connection, token: str) -> dict[str, Any] | None:
    r = conn.execute("SELECT * FROM share_links WHERE token = ?", (token,)).fetchone()
    if r is None:
        return None
    picks = conn.execute("SELECT * FROM share_picks WHERE token = ? ORDER BY at, viewer", (token,)).fetchall()
    notes = conn.execute("SELECT * FROM share_notes WHERE token = ? ORDER BY id", (token,)).fetchall()
    return dict(dict(r), job_ids=list(_job_ids(conn, token)),
                picks=[{k: p[k] for k in ("viewer", "job_id", "name", "at")} for p in picks],
                notes=[{k: q[k] for k in ("id", "job_id", "viewer", "name", "text", "seconds", "at")} for q in notes])


def _job_ids(conn: sqlite3.Connection, token: str) -> tuple[str, ...]:
    return tuple(r[0] for r in conn.execute(
        "SELECT job_id FROM share_link_jobs WHERE token = ? ORDER BY position", (token,)).fetchall())


def _link(r: sqlite3.Row, job_ids: tuple[str, ...]) -> ShareLink:
    return ShareLink(token=r["token"], owner=r["owner"], job_ids=job_ids, created_at=r["created_at"],
                     expires_at=r["expires_at"], show_prompt=bool(r["show_prompt"]),
                     has_password=bool(r["password_hash"]), views=int(r["views"]), revoked=bool(r["revoked"]))


def _pick(r: sqlite3.Row) -> Pick:
    return Pick(r["token"], r["job_id"], r["viewer"], r["name"], r["at"])


def _note(r: sqlite3.Row) -> Note:
    return Note(int(r["id"]), r["token"], r["job_id"], r["viewer"], r["name"], r["text"], r["seconds"], r["at"])
