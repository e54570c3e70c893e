"""Every file the studio writes whole, and every sha256 it takes of a file, go through here.

* `write_atomic(path, data, durable=...)` — a temporary file with a unique name beside the target
  (so two writers of the same file never share a temporary name), then a rename: a reader sees the
  old file or the new one, never half of one.  `durable=True` also flushes the file and its folder
  to the disk before returning (records a rebuild depends on); `durable=False` leaves that to the
  operating system (caches and indexes that can be rebuilt, copies whose source still exists).
* `atomic_path(dest, durable=...)` — the same for a writer that needs a path (an encoder, Pillow).
* `read_json(path)` — the JSON object such a write left, or None when it is missing or unreadable.
* `copy_hashing(src, folder)` — one read of `src` that both copies it into `folder` under a
  temporary name and computes its sha256; the caller renames it once it knows the name.
* `secret_file(path, make)` — a secret the studio keeps in its data folder (mode 0600), made once
  by `make()` and written whole, so every start (and every start racing it) reads the same one; only
  a regular file of this user's is read as one (never through a symbolic link).
* `file_sha256(path)` — the sha256 of a file, read in 1 MB chunks and remembered by (path, inode,
  size, mtime), so a file hashed (or copied) once is not read again to hash it; `remember_sha256`
  lets a writer that already knows a file's digest say so.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import threading
from pathlib import Path
from contextlib import contextmanager
from typing import Any, BinaryIO, Callable, Iterator

CHUNK = 1024 * 1024  # files are read 1 MB at a time, never whole

__all__ = ["CHUNK", "atomic_path", "copy_hashing", "file_sha256", "known_sha256", "remember_sha256", "read_json",
           "replace_atomic", "secret_file", "sync_folder", "write_atomic", "write_json_atomic"]


def write_atomic(path: Path, data: bytes | Callable[[BinaryIO], None], *, durable: bool) -> None:
    """Write `path` whole or not at all.  `data` is the bytes, or a function writing to the open file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        replace_atomic(Path(tmp), path, durable=durable)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_path(dest: Path, *, durable: bool) -> Iterator[Path]:
    """For writers that need a path (an encoder, `Image.save`): a unique temporary path beside
    `dest`, renamed over it when the block ends, deleted if the block raises."""
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if durable:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        replace_atomic(Path(tmp), dest, durable=durable)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any, *, durable: bool, indent: int | None = 2,
                      sort_keys: bool = False) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=sort_keys, default=str)
    write_atomic(path, text.encode("utf-8"), durable=durable)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in a file; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def replace_atomic(tmp: Path, dest: Path, *, durable: bool) -> None:
    """Rename a finished temporary file over `dest`; `durable`: the rename itself reaches the disk."""
    os.replace(tmp, dest)
    if durable:
        sync_folder(Path(dest).parent)


SECRET_MIN_CHARS = 16  # a secret file holding less (an empty one left by a crash) is made again


def secret_file(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in `path`: its text when it holds one, else `make()` (which must return at least
    SECRET_MIN_CHARS characters) written whole — a temporary file of mode 0600 beside it, flushed, then
    linked into place, so a reader never sees half of one and two starters racing agree on one.  The
    value is never logged; a file too short to be one (a crash of an older writer) is replaced."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        value = _secret_in(path)
        if value:
            return value
        fresh = make()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(fresh)
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)  # fails when another start made it first: theirs is read on the next turn
            except FileExistsError:
                if not _secret_in(path):
                    # what is there is no secret of ours (empty, cut short, a symbolic link, another user's
                    # file): ours replaces it — the link itself, never what it points at
                    os.replace(tmp, path)
                continue
            except OSError:  # a disk without hard links
                os.replace(tmp, path)
            sync_folder(path.parent)
            return fresh
        finally:
            Path(tmp).unlink(missing_ok=True)
    value = _secret_in(path)
    if not value:
        raise OSError(f"could not keep a secret in {path}")
    return value


def _secret_in(path: Path) -> str | None:
    """The secret `path` holds, when it is a regular file of this user's (a symbolic link is not followed,
    a FIFO not waited on: a file someone else chose would be a key they know); one readable by others (a
    copy restored from a backup) is made readable by its owner only and kept, so nobody is let out."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return None
        if hasattr(os, "fchmod") and stat.S_IMODE(st.st_mode) & 0o077:
            try:
                os.fchmod(fd, 0o600)
            except OSError:  # a read-only disk: the key is still the key
                pass
        with os.fdopen(os.dup(fd), "rb") as f:
            value = f.read(4096).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        os.close(fd)
    return value if len(value) >= SECRET_MIN_CHARS else None


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new file) to the disk; best effort where unsupported."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_hashing(src: Path, folder: Path, *, durable: bool,
                 on_chunk: Callable[[int], None] | None = None) -> tuple[str, Path]:
    """Copy `src` into a new uniquely named temporary file in `folder`, hashing it on the way (one
    read).  Returns (sha256, the temporary file); the caller renames or deletes it."""
    h = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=".copy.", suffix=".tmp", dir=folder)
    try:
        with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
            done = 0
            while chunk := fin.read(CHUNK):
                h.update(chunk)
                fout.write(chunk)
                done += len(chunk)
                if on_chunk:
                    on_chunk(done)
            if durable:
                fout.flush()
                os.fsync(fout.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return h.hexdigest(), Path(tmp)


# --- sha256 of a file, remembered ----------------------------------------------------------------

_digest_memo: dict[tuple[str, int, int, int], str] = {}
_digest_lock = threading.Lock()
_MEMO_MAX = 4096


def _memo_key(path: Path) -> tuple[str, int, int, int]:
    st = os.stat(path)
    return (os.path.realpath(path), st.st_ino, st.st_size, st.st_mtime_ns)


def remember_sha256(path: Path, digest: str) -> None:
    """Say that `path`, as it is now on disk, has this sha256 (its writer hashed it while writing)."""
    key = _memo_key(path)
    with _digest_lock:
        if len(_digest_memo) >= _MEMO_MAX:
            _digest_memo.clear()
        _digest_memo[key] = digest


def known_sha256(path: Path) -> str | None:
    """The remembered sha256 of `path` if it has not changed since; never reads the file."""
    try:
        key = _memo_key(path)
    except OSError:
        return None
    with _digest_lock:
        return _digest_memo.get(key)


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in chunks; remembered while the file is unchanged."""
    key = _memo_key(path)
    with _digest_lock:
        hit = _digest_memo.get(key)
    if hit:
        return hit
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    digest = h.hexdigest()
    with _digest_lock:
        if len(_digest_memo) >= _MEMO_MAX:
            _digest_memo.clear()
        _digest_memo[key] = digest
    return digest
