"""The character library: named characters a user saves once and puts into any new scene.

A character is a name (the `@Name` of the prompt), a picture or a video, an optional voice clip
and a one-line note.  It belongs to its owner (the `Visitor.owner` of workspace/session.py: the login,
or the browser when the studio is shared, or "" on a private install) and nobody else lists,
uses, changes or deletes it.

Layout under the data folder (its own storage; the job database is not touched):
    characters/files/<sha256><ext>        each file once, by content hash (the job store's own
                                          `keep_reference`, so bytes are hard-linked, not copied,
                                          wherever the disk allows)
    characters/owners/<owner hash>/<id>.json   one record per character, written atomically

A job that uses a character keeps its own copy of the files (the job store hard-links them into
`references/`), so deleting or changing a character never changes an old job.  The hosting cache
is keyed by the same sha256: a character used in many jobs is uploaded once while its link lives.
Safe from many threads: writes go through one lock; every file write is atomic.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from . import prompt_names
from .atomic_files import read_json
from .store.references import ReferenceFiles
from .atomic_files import write_json_atomic
from .errors import StudioError
from .messages import msg

NOTE_MAX = 160
LIBRARY_MAX = 200  # characters per owner

# What the user reads is in the catalog ("library.*"): a refusal is a CharacterError carrying a Msg,
# rendered by the page in its reader's language (`str()` is the English sentence, for API clients).
NEEDS_NAME = msg("library.needs_name")
NOTE_TOO_LONG = msg("library.note_too_long", max=NOTE_MAX)
NOT_FOUND = msg("library.not_found")
LIBRARY_FULL = msg("library.full", max=LIBRARY_MAX)

class CharacterError(StudioError):
    """A library action refused, as a Msg (`.msg`): what happened and what to do.  Nothing was changed."""


@dataclass(frozen=True)
class CharacterFile:
    """One file of a character: kept under its content hash in characters/files/."""

    file: str                       # the file name in characters/files/ (<sha256><ext>), never a user's path
    sha256: str
    name: str = ""                  # what the user called it (the original file name)
    content_type: str | None = None


@dataclass(frozen=True)
class CharacterDraft:
    """What a card hands in to be saved (its checked file, and voice when it has one)."""

    name: str
    kind: str                       # "image" | "video"
    media: Path
    media_name: str = ""
    note: str = ""
    content_type: str | None = None
    video_seconds: float | None = None
    voice: Path | None = None
    voice_name: str = ""
    voice_content_type: str | None = None
    thumb: str | None = None        # a small data: URI shown in the library (made by the page)


@dataclass(frozen=True)
class Character:
    id: str
    owner: str
    name: str
    note: str
    kind: str
    media: CharacterFile
    voice: CharacterFile | None = None
    video_seconds: float | None = None
    thumb: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Character":
        voice = data.get("voice")
        return cls(**{**data, "media": CharacterFile(**data["media"]),
                      "voice": CharacterFile(**voice) if voice else None})

    def files(self) -> tuple[CharacterFile, ...]:
        return (self.media,) + ((self.voice,) if self.voice else ())


class CharacterLibrary:
    def __init__(self, data_dir: Path, *, links_from: Iterable[Path] = (), clock=time.time):
        self.root = Path(data_dir) / "characters"
        self.files_dir = self.root / "files"
        self.owners_dir = self.root / "owners"
        for d in (self.files_dir, self.owners_dir):
            d.mkdir(parents=True, exist_ok=True)
        self._files = ReferenceFiles(self.files_dir, links_from)  # the job store's keep-by-content-hash
        self._lock = threading.RLock()
        self._clock = clock

    # --- reading --------------------------------------------------------------------------------
    def list(self, owner: str) -> list[Character]:
        """This owner's characters, by name."""
        out = []
        for path in self._owner_dir(owner).glob("*.json"):
            data = read_json(path)
            if data and data.get("owner") == owner:
                try:
                    out.append(Character.from_dict(data))
                except (TypeError, KeyError):
                    continue  # a record this version cannot read is skipped, never rewritten
        return sorted(out, key=lambda c: (c.name.lower(), c.created_at))

    def get(self, owner: str, character_id: str) -> Character:
        data = read_json(self._record(owner, character_id)) if _plain_id(character_id) else None
        if not data or data.get("owner") != owner:
            raise CharacterError(NOT_FOUND)
        return Character.from_dict(data)

    def path(self, f: CharacterFile) -> Path:
        """Where a character's file is on disk (checked to exist)."""
        p = self.files_dir / Path(f.file).name
        if not p.is_file():
            raise CharacterError(msg("library.file_gone", name=f.name or msg("library.this_character")))
        return p

    def checkout(self, ch: Character, folder: Path) -> tuple[Path, Path | None]:
        """The character's files for a card: hard links in `folder` (the page's work folder, whose
        files never change), so the card keeps working if the character is deleted before the job
        starts, and the job store links them again instead of copying."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return self._link(self.path(ch.media), folder), (self._link(self.path(ch.voice), folder) if ch.voice else None)

    @staticmethod
    def _link(src: Path, folder: Path) -> Path:
        dest = folder / src.name
        if dest.is_file() and dest.stat().st_size == src.stat().st_size:
            return dest
        tmp = folder / f".{src.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.link(src, tmp)
        except OSError:  # another disk: one copy
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        return dest

    # --- changing -------------------------------------------------------------------------------
    def save(self, owner: str, draft: CharacterDraft) -> Character:
        """A new character from a card; its files are kept once by content hash."""
        with self._lock:  # the name is checked and taken in one step: two saves cannot both have it
            name = self._checked_name(owner, draft.name)
            note = _checked_note(draft.note)
            if len(self.list(owner)) >= LIBRARY_MAX:
                raise CharacterError(LIBRARY_FULL)
            media = self._keep(draft.media, draft.media_name, draft.content_type)
            voice = self._keep(draft.voice, draft.voice_name, draft.voice_content_type) if draft.voice else None
            now = self._clock()
            ch = Character(id=secrets.token_hex(8), owner=owner, name=name, note=note, kind=draft.kind, media=media,
                           voice=voice, video_seconds=draft.video_seconds if draft.kind == "video" else None,
                           thumb=draft.thumb, created_at=now, updated_at=now)
            self._write(ch)
            return ch

    def edit(self, owner: str, character_id: str, *, name: str | None = None, note: str | None = None,
             draft: CharacterDraft | None = None) -> Character:
        """Rename, change the note, or (with `draft`) take a card's picture and voice instead."""
        with self._lock:
            ch = self.get(owner, character_id)
            changes: dict[str, Any] = {}
            if name is not None:
                changes["name"] = self._checked_name(owner, name, except_id=ch.id)
            if note is not None:
                changes["note"] = _checked_note(note)
            if draft is not None:
                changes.update(
                    kind=draft.kind, media=self._keep(draft.media, draft.media_name, draft.content_type),
                    voice=self._keep(draft.voice, draft.voice_name, draft.voice_content_type) if draft.voice else None,
                    video_seconds=draft.video_seconds if draft.kind == "video" else None, thumb=draft.thumb)
            new = replace(ch, **changes, updated_at=self._clock())
            self._write(new)
            self._drop_unused(ch.files())
            return new

    def delete(self, owner: str, character_id: str) -> Character:
        """Forget a character; its files go when no other character uses them (jobs have their own)."""
        with self._lock:
            ch = self.get(owner, character_id)
            self._record(owner, ch.id).unlink(missing_ok=True)
            self._drop_unused(ch.files())
            return ch

    # --- inside ---------------------------------------------------------------------------------
    def _keep(self, src: Path, name: str, content_type: str | None) -> CharacterFile:
        digest, kept = self._files.keep_reference(Path(src))
        return CharacterFile(file=kept.name, sha256=digest, name=name or Path(src).name, content_type=content_type)

    def _checked_name(self, owner: str, name: str, except_id: str | None = None) -> str:
        name = prompt_names.clean_name(name)
        if not name:
            raise CharacterError(NEEDS_NAME)
        problem = prompt_names.name_problem(name)
        if problem:
            raise CharacterError(problem)
        taken = next((c for c in self.list(owner) if c.name.lower() == name.lower() and c.id != except_id), None)
        if taken is not None:
            raise CharacterError(msg("library.name_taken", name=taken.name))
        return name

    def _drop_unused(self, files: Iterable[CharacterFile]) -> None:
        """Remove files no character of anyone uses any more (a job keeps its own hard link)."""
        used = {f.file for path in self.owners_dir.glob("*/*.json")
                for f in _files_of(read_json(path))}
        for f in files:
            if f.file not in used:
                (self.files_dir / Path(f.file).name).unlink(missing_ok=True)

    def _owner_dir(self, owner: str) -> Path:
        # An owner is a login or a browser id: hashed, never used as a path.
        return self.owners_dir / hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]

    def _record(self, owner: str, character_id: str) -> Path:
        return self._owner_dir(owner) / f"{character_id}.json"

    def _write(self, ch: Character) -> None:
        folder = self._owner_dir(ch.owner)
        folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self._record(ch.owner, ch.id), ch.to_dict(), durable=True)


def _checked_note(note: str | None) -> str:
    note = " ".join((note or "").split())  # one line
    if len(note) > NOTE_MAX:
        raise CharacterError(NOTE_TOO_LONG)
    return note


def _plain_id(character_id: Any) -> bool:
    return isinstance(character_id, str) and len(character_id) == 16 and all(c in "0123456789abcdef" for c in character_id)


def _files_of(data: dict[str, Any] | None) -> list[CharacterFile]:
    if not data:
        return []
    return [CharacterFile(**f) for f in (data.get("media"), data.get("voice")) if isinstance(f, dict)]
