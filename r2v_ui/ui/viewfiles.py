"""Files the page shows, handed to Gradio as per-request copies, never as library paths.

Gradio serves a file at `/gradio_api/file=<absolute path>` when that path is under `allowed_paths`,
to anyone signed in who guesses it.  So the library, the kept references and the work folder are
*not* allowed paths (app.py allows only the built-in examples).  Instead every result video, poster
and reference a handler returns is first hard-linked (or copied, across filesystems) into a fresh
directory under the system temp dir (`r2v-view-*/<request>/`).  Gradio accepts returned files from
there and moves them into its own cache under a directory named by a keyed hash of the content, and
only that cache copy is served: a URL nobody can derive from a job id or a library path.

The per-request directories are only needed until Gradio has copied the file, so each new request
sweeps away the ones older than `KEEP_SECONDS`; `close()` removes the whole root.

When a job is deleted, `served_copies()` (called while its files still exist) names every copy the
page may have handed out — the per-request links here and Gradio's cache copy, whose folder is a
keyed hash of the content — and `remove()` deletes them, so a deleted video stops being served.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

KEEP_SECONDS = 600.0

View = Callable[[object], "str | None"]
log = logging.getLogger(__name__)


class Viewer:
    def __init__(self, root: Path | None = None, keep_seconds: float = KEEP_SECONDS):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="r2v-view-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.keep_seconds = keep_seconds
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._copies: dict[str, list[Path]] = {}  # source path → the per-request copies made of it

    def request(self) -> View:
        """A function for one request: path → path of its copy in this request's own directory
        (None and missing files give None).  The directory is made on first use."""
        self.sweep()
        folder: list[Path] = []
        copies: dict[str, str] = {}

        def view(path: object) -> str | None:
            if not path:
                return None
            src = Path(str(path))
            if not src.is_file():
                return None
            key = str(src)
            if key in copies:
                return copies[key]
            if not folder:
                with self._lock:
                    d = self.root / f"{time.time():.0f}-{next(self._ids)}"
                d.mkdir(parents=True)
                folder.append(d)
            # One sub-folder per file keeps the original name (what the browser shows and downloads).
            dest = folder[0] / str(len(copies)) / src.name
            dest.parent.mkdir()
            try:
                os.link(src, dest)
            except OSError:  # another filesystem, or links not allowed: copy
                shutil.copy2(src, dest)
            copies[key] = str(dest)
            with self._lock:
                self._copies.setdefault(key, []).append(dest)
            return copies[key]

        return view

    def served_copies(self, *sources: object) -> list[Path]:
        """Every copy of these files the page may have served: this viewer's links and Gradio's
        cache copy (read now, while the sources still exist: the cache folder is a hash of them)."""
        from gradio.processing_utils import hash_file
        from gradio.utils import get_upload_folder
        from gradio_client.utils import strip_invalid_filename_characters

        found: list[Path] = []
        for source in sources:
            if not source:
                continue
            src = Path(str(source))
            with self._lock:
                found += self._copies.pop(str(src), [])
            if src.is_file():
                found.append(Path(get_upload_folder()) / hash_file(src) / strip_invalid_filename_characters(src.name))
        return found

    def remove(self, paths: list[Path]) -> None:
        for p in paths:
            try:
                p.unlink(missing_ok=True)
                if p.parent.is_dir() and p.parent != self.root and not any(p.parent.iterdir()):
                    p.parent.rmdir()
            except OSError as exc:
                log.warning("could not remove a served copy %s: %s", p.name, exc)

    def sweep(self) -> None:
        limit = time.time() - self.keep_seconds
        try:
            entries = list(self.root.iterdir())
        except OSError:
            return
        swept = False
        for d in entries:
            try:
                if d.stat().st_mtime < limit:
                    shutil.rmtree(d, ignore_errors=True)
                    swept = True
            except OSError:
                pass
        if swept:  # forget the links that went with them
            with self._lock:
                self._copies = {k: kept for k, v in self._copies.items() if (kept := [p for p in v if p.exists()])}

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
