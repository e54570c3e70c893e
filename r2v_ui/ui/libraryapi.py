"""The character library's API routes, one per action (list, save, use, edit, delete), for API
clients.  Owner is always the visitor, as in the page (the login, or this session when the studio is
shared): never an argument a client could send.  A refusal is a gr.Error whose text says what to do,
in the request's language when it names one (a browser's cookie or Accept-Language), else English."""

from __future__ import annotations

from typing import Any

import gradio as gr

from .. import spec
from ..characters import Character, CharacterError, CharacterLibrary
from ..workspace import cast as cast_mod
from ..workspace import charactercards
from ..messages import msg, render_msg, t
from .context import PageContext
from .language import lang_of

# What the user reads is in the catalog ("library.*").
BAD_CARD = msg("library.bad_card", max=spec.MEDIA_MAX)


def public(ch: Character) -> dict[str, Any]:
    """What an API client reads of a character (no thumbnail, no file names on disk)."""
    return {"id": ch.id, "name": ch.name, "note": ch.note, "kind": ch.kind, "voice": bool(ch.voice),
            "created_at": ch.created_at}


def register(lib: CharacterLibrary, ctx: PageContext) -> None:
    """One route per action, for API clients (owner: the visitor, as in the page)."""

    def who(request) -> str:
        return ctx.visitor(request, None).owner

    def refused(exc: CharacterError, request: Any) -> gr.Error:
        lang = lang_of(request)  # English for a script that names no language
        return gr.Error(render_msg(exc.msg, lang), title=t("library.nothing_changed", lang))

    def card_number(value: Any, lo: int) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise CharacterError(BAD_CARD)
        try:
            n = int(str(value).strip())
        except ValueError:
            raise CharacterError(BAD_CARD) from None
        if not lo <= n <= spec.MEDIA_MAX:
            raise CharacterError(BAD_CARD)
        return n

    def list_characters(request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Your saved characters, by name: id, name, note, kind (image or video), whether it has a voice."""
        return {"characters": [public(c) for c in lib.list(who(request))]}

    def save_character(card: int, name: str, note: str = "", request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Save card `card` (1-5) of this session's cast as a character named `name` (one word, written @name in prompts)."""
        cast = ctx.casts.get(request, None)
        try:
            n = card_number(card, 1)
            if n > len(cast):
                raise CharacterError(charactercards.no_file(n))
            ch = lib.save(who(request), charactercards.draft_from_card(cast[n - 1], n, name, note or ""))
        except CharacterError as exc:
            raise refused(exc, request) from None
        return public(ch)

    def use_character(character_id: str, card: int = 0, request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Put a saved character into card `card` of this session's cast (0: the next empty card)."""
        try:
            ch = lib.get(who(request), character_id)
            media, voice = lib.checkout(ch, ctx.checked_dir)
            with ctx.casts.lock(request):
                cast, i = charactercards.put_into(ctx.casts.get(request, None) or cast_mod.new_cast(), ch, media,
                                                  voice, card_number(card or 0, 0))
                ctx.casts.put(request, cast)
        except CharacterError as exc:
            raise refused(exc, request) from None
        return {"card": i + 1, "tag": spec.character_tag(i + 1), "name": ch.name}

    def edit_character(character_id: str, name: str | None = None, note: str | None = None,
                       request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Rename a saved character (an empty name keeps it) and set its note (an empty note clears it)."""
        try:
            ch = lib.edit(who(request), character_id, name=name or None, note=note)
        except CharacterError as exc:
            raise refused(exc, request) from None
        return public(ch)

    def delete_character(character_id: str, request: gr.Request = None) -> dict:  # type: ignore[assignment]
        """Delete a saved character (videos made with it keep their own copy)."""
        try:
            ch = lib.delete(who(request), character_id)
        except CharacterError as exc:
            raise refused(exc, request) from None
        return {"deleted": ch.id, "name": ch.name}

    for fn in (list_characters, save_character, use_character, edit_character, delete_character):
        gr.api(fn, api_name=fn.__name__)
