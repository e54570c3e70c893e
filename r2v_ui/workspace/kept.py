"""A refused file never replaces an accepted one (issue 23, item 2).

A card that holds an accepted (or repaired) picture, video or voice keeps it when a new file for the
same place is refused; the card then carries a note (`Card.kept_note`, `Card.voice_kept_note`)
saying why the new file was not used and what it kept.  The next file that is accepted clears the
note.  Nothing here imports Gradio.
"""

from __future__ import annotations

from dataclasses import replace

from ..messages import Msg, msg
from .cast import ACCEPTED, FIXED, REFUSED, Card

USABLE = (ACCEPTED, FIXED)


def _holds_media(card: Card) -> bool:
    return card.has_media and card.verdict in USABLE


def _holds_voice(card: Card) -> bool:
    return bool(card.voice_path or card.voice_url) and card.voice_verdict in USABLE


def keep_media(before: Card, after: Card) -> Card:
    """The card after a new picture/video was checked: `after`, unless it was refused while `before`
    held a usable one; then `before` with a note saying why the new file was not used."""
    if after.verdict == REFUSED and _holds_media(before):
        return replace(before, kept_note=msg("cast.kept", why=after.message or "", kept=before.name or ""))
    return replace(after, kept_note=None)


def keep_voice(before: Card, after: Card) -> Card:
    """The same rule for the card's voice clip."""
    if after.voice_verdict == REFUSED and _holds_voice(before):
        return replace(before, voice_kept_note=msg("cast.kept_voice", why=after.voice_message or "",
                                                   kept=before.voice_name or ""))
    return replace(after, voice_kept_note=None)


def notes(card: Card) -> list[Msg]:
    """What the card says about files it did not take (shown under its verdict)."""
    return [n for n in (card.kept_note, card.voice_kept_note) if n]
