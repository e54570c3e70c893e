"""Files the page shows, handed to Gradio at a stable, unguessable path, never as library paths.

Gradio serves a file at `/gradio_api/file=<absolute path>` when that path is under `allowed_paths`
or in its own cache folder, to anyone signed in who guesses it.  So the library, the kept references
and the work folder are *not* allowed paths (app.py allows only the built-in examples).  Instead
every result video, poster and reference a handler returns is hard-linked (or copied, across
filesystems) into this viewer's folder inside Gradio's cache, at
`<cache>/r2v-view-*/<keyed hash>/<name>` (the name: the library file's own, or for a result video
the name a person can file it under, workspace/filenames.py), where the keyed hash is an HMAC, under a secret this
viewer draws at start, of the file's identity (path, inode, size, modification time; not the change
time, which a new link changes): a URL nobody can derive from a job id or a library path.

The path is the same every time the same file is shown, and it is inside Gradio's cache, so Gradio
serves it as it is: showing a result again (the job view at each stage, the History detail) costs a
`stat`, never a copy or a hash of the video (Gradio hashes every byte of a file from elsewhere to
name its cache copy).  A file changed or replaced gets a new identity, so a new path.

When a job is deleted, `served_copies()` (called while its files still exist) names the copies the
page may have handed out — this viewer's, and those in any other viewer's folder (a killed run of the
studio leaves its folder in the cache, and Gradio serves it) — and `remove()` deletes them, so a
deleted video stops being served; `sweep()`
drops the links whose library file was deleted some other way; `close()` removes the whole folder.

A studio killed (SIGKILL, a power cut) never runs `close()`, and Gradio's cache is shared by every
studio on the machine.  So each viewer holds an exclusive lock (`flock`) on `.owner.lock` in its
folder for as long as its process lives (the system drops it when the process dies, however it
dies), and a new viewer removes, at start, every `r2v-view-*` folder whose lock it can take: those
of dead studios only.  A folder with no lock file (made by an older studio) goes once it is a day old.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from ..atomic_files import atomic_path

try:
    import fcntl
except ImportError:  # Windows: no flock; folders of dead studios then go by age alone
    fcntl = None  # type: ignore[assignment]

View = Callable[..., "str | None"]  # (path, name=None) -> the served path
VIEW_PREFIX = "r2v-view-"  # every viewer's folder in Gradio's cache starts so
SWEEP_EVERY_S = 60.0
OWNER_LOCK = ".owner.lock"
UNLOCKED_KEEP_S = 24 * 3600.0  # a folder without a lock file (an older studio's): kept this long
log = logging.getLogger(__name__)


def _gradio_cache() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


class Viewer:
    def __init__(self, root: Path | None = None):
        """`root`: where the served links live; it must be inside Gradio's cache folder (the default:
        a new folder there) for Gradio to serve them without copying and hashing them."""
        self._owner_lock: int | None = None
        if root is None:
            cache = _gradio_cache()
            cache.mkdir(parents=True, exist_ok=True)
            remove_dead_viewers(cache)
            root = Path(tempfile.mkdtemp(prefix=VIEW_PREFIX, dir=cache))
            self._owner_lock = _hold_owner_lock(root)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._copied: set[Path] = set()  # served paths that are copies, not links (another filesystem)
        self._swept_at = time.monotonic()

    def served_path(self, src: Path, name: str | None = None) -> Path | None:
        """Where `src`, as it is now on disk, is served from (None when it is not a file): the keyed
        folder comes from the file's identity alone; `name` (a download name a person can file,
        workspace/filenames.py) is the copy's name in it, else the library file's own name."""
        try:
            st = os.stat(src)
        except OSError:
            return None
        identity = f"{os.path.realpath(src)}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}"
        key = hmac.new(self._secret, identity.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()
        return self.root / key[:40] / (_plain_name(name) or src.name)

    def show(self, path: object, name: str | None = None) -> str | None:
        """The served path of a library file, made on first use (None and missing files give None);
        `name`: the name it is served (and so downloaded) under."""
        if not path:
            return None
        src = Path(str(path))
        dest = self.served_path(src, name)
        if dest is None or not src.is_file():
            return None
        if dest.exists():
            return str(dest)
        with self._lock:  # two requests showing one new file: one link
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)  # (the root too, should a cache clean-up take it)
                with atomic_path(dest, durable=False) as part:  # served whole or not at all; a cache
                    part.unlink()
                    try:
                        os.link(src, part)
                    except OSError:  # another filesystem, or links not allowed: copy
                        shutil.copy2(src, part)
                        self._copied.add(dest)
        return str(dest)

    def request(self) -> View:
        """The function a handler uses to show files (one viewer for every request)."""
        if time.monotonic() - self._swept_at > SWEEP_EVERY_S:
            self._swept_at = time.monotonic()
            self.sweep()
        return self.show

    def served_copies(self, *sources: object) -> list[Path]:
        """Every copy of these files the page may have served (read now, while the sources still exist:
        the paths are made from them): this viewer's link, and a copy Gradio made in its cache under a
        hash of the content (by an earlier version of the studio, which handed Gradio copies: hashing
        the file here, on a delete only, keeps the promise that a deleted video stops being served)."""
        from gradio.processing_utils import hash_file
        from gradio_client.utils import strip_invalid_filename_characters

        found: list[Path] = []
        for source in sources:
            src = Path(str(source)) if source else None
            if src is None or not src.is_file():
                continue
            if (dest := self.served_path(src)) is not None and dest.parent.is_dir():
                # every name it was served under: they share the keyed folder
                found += [p for p in dest.parent.iterdir() if not p.name.startswith(".")]
            found += [p for p in self._other_views_of(src) if p not in found]
            gradio_copy = _gradio_cache() / hash_file(src) / strip_invalid_filename_characters(src.name)
            if gradio_copy.exists():
                found.append(gradio_copy)
        return found

    def _other_views_of(self, src: Path) -> list[Path]:
        """Links (or copies) of `src` in any viewer's folder in Gradio's cache: this one's under an
        earlier identity of the file, and those a killed or earlier run of the studio left behind —
        Gradio serves every file in its cache folder, so they would serve a deleted video.  A library
        file's name is its job's own (time and job id), so a same-named file of the same size, or a
        link to the same file, is a copy of it; a link is found under any name it was served as (a
        download's friendly name included) by being the same file."""
        try:
            st = src.stat()
        except OSError:
            return []
        out = []
        for p in _gradio_cache().glob(f"{VIEW_PREFIX}*/*/*"):
            if p.name.startswith("."):
                continue
            try:
                other = p.stat()
            except OSError:
                continue
            same_file = (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino)
            if same_file or (p.name == src.name and other.st_size == st.st_size):
                out.append(p)
        return out

    def remove(self, paths: list[Path]) -> None:
        for p in paths:
            try:
                p.unlink(missing_ok=True)
                if p.parent.is_dir() and p.parent not in (self.root, _gradio_cache()) and not any(p.parent.iterdir()):
                    p.parent.rmdir()
            except OSError as exc:
                log.warning("could not remove a served copy %s: %s", p.name, exc)

    def sweep(self) -> None:
        """Drop the links whose library file is gone (a link that is the file's last name)."""
        try:
            folders = list(self.root.iterdir())
        except OSError:
            return
        for folder in folders:
            for p in folder.iterdir() if folder.is_dir() else ():
                try:
                    if p.stat().st_nlink == 1 and not p.name.startswith(".") and p not in self._copied:
                        self.remove([p])
                except OSError:
                    pass

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        if self._owner_lock is not None:
            os.close(self._owner_lock)
            self._owner_lock = None


def _plain_name(name: str | None) -> str | None:
    """A served name is one path part, never a way out of its folder (names are made by
    workspace/filenames.py, but this is the door: it checks for itself)."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name or name.startswith("."):
        return None
    return name


def _hold_owner_lock(root: Path) -> int | None:
    """Lock `root/.owner.lock` for as long as this process lives (the descriptor stays open).  The file
    is locked under another name and then renamed: it is never seen unlocked by another studio."""
    part = root / (OWNER_LOCK + ".new")
    fd = os.open(part, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else holds it
    os.replace(part, root / OWNER_LOCK)
    return fd


def remove_dead_viewers(cache: Path) -> list[Path]:
    """Remove the view folders of studios that are no longer running (see the module's docstring);
    a running studio's folder, in this process or another, is left alone.  Returns what was removed."""
    removed: list[Path] = []
    try:
        folders = [p for p in cache.iterdir() if p.name.startswith(VIEW_PREFIX) and p.is_dir()]
    except OSError:
        return removed
    for folder in folders:
        lock = folder / OWNER_LOCK
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            # An older studio's folder, or one made this instant by a studio about to lock it.
            try:
                if time.time() - folder.stat().st_mtime > UNLOCKED_KEEP_S:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
            except OSError:
                pass
            continue
        except OSError:
            continue
        try:
            if fcntl is None:
                continue  # no way to tell a live studio from a dead one here
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its studio is running
            shutil.rmtree(folder, ignore_errors=True)  # removed while this lock is held
            removed.append(folder)
        finally:
            os.close(fd)
    if removed:
        log.info("Removed %d view folder(s) left by studios that were stopped without closing.", len(removed))
    return removed
