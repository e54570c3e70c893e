"""Between a card of the cast (cast.py, frozen `Card`s) and a character of the library (characters.py):
what a card hands in to be saved, and the card a saved character becomes.  No Gradio here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .. import spec
from ..characters import Character, CharacterDraft, CharacterError
from ..messages import Msg, msg
from . import cast as cast_mod
from .cast import ACCEPTED, Card

NEXT_EMPTY = 0  # "put it into": the first card with nothing in it (or a new card)

# What the user reads is in the catalog ("library.*"): refusals are CharacterErrors carrying a Msg.
CAST_FULL = msg("library.cast_full", max=spec.MEDIA_MAX)


def no_file(n: int) -> Msg:
    """Card n has no file that could be saved as a character."""
    return msg("library.no_file", tag=spec.character_tag(max(n, 1)))


def from_library(name: str) -> Msg:
    """What a card says of a file put in from the library."""
    return msg("cast.from", name=name, note=msg("cast.from.library"))


def draft_from_card(card: Card, n: int, name: str, note: str) -> CharacterDraft:
    """What saving card n as a character hands in; a CharacterError saying why when it cannot be saved."""
    if card.refused:
        raise CharacterError(msg("library.card_refused", tag=spec.character_tag(n)))
    if not card.path:
        raise CharacterError(no_file(n))
    voice = card.voice_path if not card.voice_refused else None
    return CharacterDraft(
        name=name, note=note, kind=card.kind or "image", media=Path(card.path),
        media_name=card.name or Path(card.path).name, content_type=card.content_type,
        video_seconds=card.video_seconds, voice=Path(voice) if voice else None,
        voice_name=card.voice_name or "", voice_content_type=card.voice_content_type,
        thumb=card.thumb)


def card_from_character(ch: Character, media: Path, voice: Path | None) -> Card:
    """A card holding a saved character: its files (already checked when saved), its name for @Name."""
    card = Card(kind=ch.kind, path=str(media), name=ch.media.name, character=ch.name,
                verdict=ACCEPTED, message=from_library(ch.name),
                video_seconds=ch.video_seconds, content_type=ch.media.content_type,
                thumb=ch.thumb, thumb_of=str(media) if ch.thumb else None, library_id=ch.id)
    if voice is not None and ch.voice is not None:
        card = replace(card, voice_path=str(voice), voice_name=ch.voice.name, voice_verdict=ACCEPTED,
                       voice_message=from_library(ch.voice.name), voice_content_type=ch.voice.content_type)
    return card


def target_index(cast: list[Card], target: int) -> int:
    """Which card slot (0-based) "put into" means: card `target` (1-based), or with NEXT_EMPTY the
    first card with no picture or video, else a new card; CharacterError when all are full."""
    if target and 1 <= int(target) <= spec.MEDIA_MAX:
        return int(target) - 1
    for i, c in enumerate(cast):
        if not c.has_media and not c.refused:
            return i
    if cast_mod.can_add(cast):
        return len(cast)
    raise CharacterError(CAST_FULL)


def put_into(cast: list[Card], ch: Character, media: Path, voice: Path | None,
             target: int = NEXT_EMPTY) -> tuple[list[Card], int]:
    """The cast with the character in its card, and that card's index."""
    i = target_index(cast, target)
    if ch.kind == "video" and cast_mod.video_count(cast, except_index=i) >= spec.VIDEOS_MAX:
        raise CharacterError(msg("library.too_many_videos", name=ch.name, max=spec.VIDEOS_MAX))
    return cast_mod.replace_card(cast, i, card_from_character(ch, media, voice)), i
