"""References kept by content hash: `references/<sha256><ext>`, so a remix works after the
user's file or link is gone.  A file from a folder whose files never change in place is hard-linked
(nothing written), any other copied and hashed in the same read; either way its digest is
remembered, so hosting the kept copy does not read it again (atomic_files.py)."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import Iterable

from ..atomic_files import copy_hashing, file_sha256, known_sha256, remember_sha256


class ReferenceFiles:
    """Files kept by content hash in one folder (the job store's references/, the character
    library's characters/files/)."""

    def __init__(self, folder: Path, links_from: Iterable[Path] = ()):
        self.references_dir = Path(folder)
        self.links_from = [Path(p).resolve() for p in links_from]  # folders whose files never change in place

    def keep_reference(self, src: Path) -> tuple[str, Path]:
        """Keep a reference in references/ under its content hash (once); return (sha256, path).

        A file under a folder whose files never change (`allow_links_from`: the work folder, and
        the page's upload folder when the page says so) is hard-linked, so nothing is written;
        any other file is copied, hashed in the same read.  Either way its digest is remembered, so
        hosting the kept copy does not read it again.  Safe from many threads at once: each has its
        own temporary name, and keeping one file from many jobs at once keeps it once (the others
        wait for it).  Not flushed to disk (the user's file still exists while the job starts): a
        kept copy that a power cut left short is noticed by its size and written again."""
        src = Path(src)
        st = os.stat(src)
        with _source_lock(src, st):
            digest = known_sha256(src)
            if digest is not None:
                dest = self._reference_path(digest, src)
                if _same_size(dest, st.st_size):
                    return digest, dest
            self.references_dir.mkdir(parents=True, exist_ok=True)
            digest, tmp = self._stage_reference(src)
            dest = self._reference_path(digest, src)
            try:
                if _same_size(dest, st.st_size):
                    tmp.unlink()
                else:
                    os.replace(tmp, dest)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            remember_sha256(src, digest)
            remember_sha256(dest, digest)
            return digest, dest

    def allow_links_from(self, folder: Path) -> None:
        """Files under `folder` are never changed in place (new content gets a new file), so a kept
        reference may share their bytes through a hard link instead of a copy."""
        resolved = Path(folder).resolve()
        if resolved not in self.links_from:
            self.links_from = [*self.links_from, resolved]

    def _stage_reference(self, src: Path) -> tuple[str, Path]:
        """(sha256, a temporary file in references/ with src's bytes): a hard link when src's
        folder allows it and the disk is the same (one read, to hash), else a copy (one read)."""
        real = src.resolve()
        if any(real.is_relative_to(folder) for folder in self.links_from):
            tmp = self.references_dir / f".link.{uuid.uuid4().hex}.tmp"
            try:
                os.link(real, tmp)
            except OSError:
                pass  # another disk, or links not allowed: copy
            else:
                try:
                    return file_sha256(tmp), tmp
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
        return copy_hashing(src, self.references_dir, durable=False)

    def _reference_path(self, digest: str, src: Path) -> Path:
        return self.references_dir / f"{digest}{src.suffix.lower()}"


_source_locks: dict[tuple[int, int], list] = {}  # (device, inode) → [lock, users]
_source_locks_guard = threading.Lock()


class _source_lock:
    """One lock per source file (device, inode) while anyone keeps it; dropped when the last leaves."""

    def __init__(self, src: Path, st: os.stat_result):
        self.key = (st.st_dev, st.st_ino)

    def __enter__(self) -> None:
        with _source_locks_guard:
            entry = _source_locks.get(self.key)
            if entry is None:
                entry = _source_locks[self.key] = [threading.Lock(), 0]
            entry[1] += 1
        entry[0].acquire()
        self.entry = entry

    def __exit__(self, *exc: object) -> None:
        self.entry[0].release()
        with _source_locks_guard:
            self.entry[1] -= 1
            if self.entry[1] == 0 and _source_locks.get(self.key) is self.entry:
                del _source_locks[self.key]


def _same_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False
