"""A job's recipe (`recipe.json` in the hand-over pack) and the draft a recipe runs again.

A recipe says everything that made one video: every setting (the `RequestSettings` record), the
prompt as written and as sent, the cast (names, roles, each file's sha256 — never a path on this
disk), the seed the service used, the take number, and the request body exactly as it was sent
(the links each reference had then; they expire, the hashes do not).

Run again (`draft_from_recipe`), the recipe becomes the same draft: the same settings with the seed
that was used, and each reference found again by its hash among the files the caller may use (the
source job's kept references when the caller owns it, and the caller's character library).  A file not found is a `RecipeError` naming
the character.  The request body then differs from the first only in links a host issued anew (an
upload whose link has died is uploaded again and gets a new one; while it lives the caching host
hands on the same link).  No Gradio; the page (`/generate`) and MCP (`start_video`) share this.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..errors import StudioError
from ..jobs.model import JobDraft, Reference
from ..jobs.states import ReferenceKind
from ..messages import msg
from ..request import GenerationRequest, MediaItem
from ..spec import MEDIA_MAX, character_tag

SCHEMA = "wan27-r2v-studio/recipe"
VERSION = 1
MAX_RECIPE_BYTES = 256 * 1024  # far more than any recipe (a prompt is at most 1500 characters)
_SHA256 = re.compile(r"[0-9a-f]{64}")
Finder = Callable[[str], "Path | None"]  # a sha256 → the file with that content the caller may use, or None


class RecipeError(StudioError):
    """A recipe that cannot run: unreadable, of another kind or version, or naming a file not found."""


# --- writing ---------------------------------------------------------------------------------
def _role(ref: Reference) -> str:
    return "video" if ref.is_video else "picture"


def _cast_entry(i: int, ref: Reference) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "tag": character_tag(i), "name": ref.character, "role": _role(ref), "file_name": ref.name,
        "sha256": ref.sha256, "content_type": ref.content_type, "duration": ref.duration,
        "link": ref.url if ref.url and not ref.kept else None,
        "voice": None,
    }
    if ref.voice_kept or ref.voice_url or ref.voice_sha256:
        entry["voice"] = {"file_name": ref.voice_name, "sha256": ref.voice_sha256,
                          "content_type": ref.voice_content_type,
                          "link": ref.voice_url if ref.voice_url and not ref.voice_kept else None}
    return entry


def body_as_sent(settings: Mapping[str, Any], references: Iterable[Reference]) -> dict[str, Any] | None:
    """The submit body as the client sent it (`GenerationRequest.to_body`, the links recorded at
    submit); None for a job that never reached the service's door."""
    refs = list(references)
    if not refs or any(not r.sent_url for r in refs):
        return None
    media = tuple(MediaItem(url=r.sent_url, type=r.media_type, reference_voice=r.sent_voice_url) for r in refs)
    return replace(GenerationRequest.from_settings(settings), media=media).to_body()


def recipe_for(snap: Any) -> dict[str, Any]:
    """The recipe of one job (a `JobSnapshot`)."""
    settings = dict(snap.settings or {})
    refs = [Reference.from_dict(r) for r in snap.references]
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "job_id": snap.job_id,
        "batch_id": snap.batch_id,
        "take": snap.take,
        "created_at": snap.created_at,
        "mode": snap.target,
        "prompt_as_written": settings.get("written_prompt") or settings.get("prompt", ""),
        "prompt_as_sent": settings.get("prompt", ""),
        "seed": snap.seed_used if snap.seed_used is not None else settings.get("seed"),
        "settings": settings,
        "cast": [_cast_entry(i, r) for i, r in enumerate(refs, start=1)],
        "request_body": body_as_sent(settings, refs),
    }


def recipe_json(snap: Any) -> str:
    return json.dumps(recipe_for(snap), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# --- reading ---------------------------------------------------------------------------------
def read_recipe(value: Any) -> dict[str, Any]:
    """A recipe given as JSON text (or already a dict), checked for its kind and version."""
    if isinstance(value, Mapping):
        data: Any = dict(value)
    else:
        text = str(value or "")
        if len(text.encode("utf-8", "ignore")) > MAX_RECIPE_BYTES:
            raise RecipeError(msg("recipe.unreadable"))
        try:
            data = json.loads(text)
        except ValueError:
            raise RecipeError(msg("recipe.unreadable")) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise RecipeError(msg("recipe.unreadable"))
    if data.get("version") != VERSION:
        raise RecipeError(msg("recipe.version", version=str(data.get("version")), supported=VERSION))
    if not isinstance(data.get("settings"), dict) or not isinstance(data.get("cast"), list) or not data["cast"]:
        raise RecipeError(msg("recipe.unreadable"))
    if len(data["cast"]) > MEDIA_MAX or not all(isinstance(c, dict) for c in data["cast"]):
        raise RecipeError(msg("recipe.unreadable"))
    return data


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _found(entry: Mapping[str, Any], find: Finder, tag: str, *, voice: bool) -> tuple[Path | None, str | None]:
    """(the file found by hash, or the link) of one cast entry or its voice; RecipeError if neither."""
    digest = _text(entry.get("sha256")).lower()
    link = _text(entry.get("link"))
    if digest:
        path = find(digest) if _SHA256.fullmatch(digest) else None
        if path is not None:
            return path, None
        name = _text(entry.get("file_name")) or digest[:12]
        raise RecipeError(msg("recipe.voice_missing" if voice else "recipe.file_missing", tag=tag, name=name))
    if link.lower().startswith(("http://", "https://")):
        return None, link
    raise RecipeError(msg("recipe.no_file", tag=tag))


def draft_from_recipe(recipe: Any, find: Finder) -> JobDraft:
    """The draft a recipe runs again: its settings, the seed that was used, each reference found by
    its hash (`find`) or its link.  Raises RecipeError in words (which character's file is missing)."""
    data = read_recipe(recipe)
    refs: list[Reference] = []
    for i, entry in enumerate(data["cast"], start=1):
        tag = character_tag(i)
        path, url = _found(entry, find, tag, voice=False)
        voice = entry.get("voice") if isinstance(entry.get("voice"), dict) else None
        voice_path, voice_url = _found(voice, find, tag, voice=True) if voice else (None, None)
        duration = entry.get("duration")
        refs.append(Reference(
            kind=ReferenceKind.VIDEO if entry.get("role") == "video" else ReferenceKind.IMAGE,
            path=path, url=url, voice_path=voice_path, voice_url=voice_url,
            name=_text(entry.get("file_name")) or (path.name if path else url or ""),
            voice_name=_text(voice.get("file_name")) if voice else "",
            duration=float(duration) if isinstance(duration, (int, float)) and not isinstance(duration, bool) else None,
            content_type=_text(entry.get("content_type")) or None,
            voice_content_type=(_text(voice.get("content_type")) or None) if voice else None,
            character=_text(entry.get("name"))))
    settings = JobDraft.settings_from(data["settings"])
    seed = data.get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool):
        settings["seed"] = seed  # the seed the service used: the same video again
    return JobDraft(references=tuple(refs), **settings)


# --- finding files by hash -------------------------------------------------------------------
@dataclass
class ReferenceFinder:
    """Where a recipe's files are looked for, for one caller (`owner`): the kept references of the
    recipe's own job when the caller owns it, and the caller's characters.  Never a path the recipe
    names, never another owner's file (a hash alone is no key to someone else's picture)."""

    store: Any  # the JobStore
    owner: str
    characters: Any = None  # the CharacterLibrary, when there is one

    def for_recipe(self, recipe: Any) -> Finder:
        data = read_recipe(recipe)
        known: dict[str, Path] = {}
        rec = self.store.get(str(data.get("job_id") or "")) if data.get("job_id") else None
        if rec is not None and rec.owner == self.owner:
            for row in rec.references:
                for key, kept in (("sha256", "kept"), ("voice_sha256", "voice_kept")):
                    if row.get(key) and row.get(kept):
                        path = self.store.absolute(row[kept])
                        if path is not None and path.is_file():
                            known[row[key]] = path
        if self.characters is not None:
            for ch in self.characters.list(self.owner):
                for f in ch.files():
                    path = Path(self.characters.files_dir) / Path(f.file).name
                    if path.is_file():
                        known.setdefault(Path(f.file).stem, path)
        return known.get

    def draft(self, recipe: Any) -> JobDraft:
        """The draft `recipe` runs again for this caller (RecipeError in words)."""
        return draft_from_recipe(recipe, self.for_recipe(recipe))


def finder_for(store: Any, data_dir: Path, owner: str) -> ReferenceFinder:
    """The finder of one caller on this studio: its jobs' kept references and its character library."""
    from ..characters import CharacterLibrary

    return ReferenceFinder(store, owner, CharacterLibrary(Path(data_dir)))
