"""A refused file never replaces an accepted one (issue 23, item 2).

A card that holds an accepted (or repaired) picture, video or voice keeps it when a new file for the
same place is refused; the card then carries a note saying which file was not used, why, and what it
kept.  The next file that is accepted clears the note.  Cards are the plain dicts of `ui/cast.py`;
nothing here imports Gradio.
"""

from __future__ import annotations

from typing import Any

from ..messages import Msg, msg

Card = dict[str, Any]

MEDIA_NOTE = "kept_note"        # a Msg: the refused picture/video and why, the card keeps its own
VOICE_NOTE = "voice_kept_note"  # the same for the voice clip
USABLE = ("accepted", "fixed")


def _holds_media(card: Card) -> bool:
    return bool(card.get("path") or card.get("url")) and card.get("verdict") in USABLE


def _holds_voice(card: Card) -> bool:
    return bool(card.get("voice_path") or card.get("voice_url")) and card.get("voice_verdict") in USABLE


def keep_media(before: Card, after: Card) -> Card:
    """The card after a new picture/video was checked: `after`, unless it was refused while `before`
    held a usable one; then `before` with a note saying why the new file was not used."""
    if after.get("verdict") == "refused" and _holds_media(before):
        return dict(before, **{MEDIA_NOTE: msg("cast.kept", why=after.get("message") or "", kept=before.get("name") or "")})
    return dict(after, **{MEDIA_NOTE: None})


def keep_voice(before: Card, after: Card) -> Card:
    """The same rule for the card's voice clip."""
    if after.get("voice_verdict") == "refused" and _holds_voice(before):
        return dict(before, **{VOICE_NOTE: msg("cast.kept_voice", why=after.get("voice_message") or "",
                                              kept=before.get("voice_name") or "")})
    return dict(after, **{VOICE_NOTE: None})


def notes(card: Card) -> list[Msg]:
    """What the card says about files it did not take (shown under its verdict)."""
    return [card[k] for k in (MEDIA_NOTE, VOICE_NOTE) if card.get(k)]
