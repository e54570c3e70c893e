"""Scene starters: a first prompt for the person facing an empty box, written with the cast's own names.

`starter_prompt(kind, names, lang)` is pure: `names` are what the prompt calls each character, in card
order (`@Mira` for a card with a character name, else its tag `character1`, …; see ui/starters.py).
Every name given appears in the text, so the prompt's tag hints are satisfied from the start; with no
card yet, the scene is written for `character1` (and `character2`), the tags the first cards will have.

The words are in the catalog (r2v_ui/messages, keys "starter.<kind>.solo|duo|rest_one|rest_many"),
like every other sentence the user reads: a translator sees a starter next to its button's label,
and the catalog's test holds both languages to the same {fields}.  This module keeps only what is not
words: which starters there are, which need two people, and how the parts fit together.
"""

from __future__ import annotations

from enum import StrEnum

from . import spec
from .messages import DEFAULT, CATALOGS, fields, language, t


class Starter(StrEnum):
    DIALOGUE = "dialogue"
    PRODUCT = "product"
    DANCE = "dance"
    CHASE = "chase"
    INTERVIEW = "interview"


# With no card yet, these are written for character1 and character2 (a scene about two people).
NEEDS_TWO: frozenset[Starter] = frozenset({Starter.DIALOGUE, Starter.CHASE, Starter.INTERVIEW})


def join_names(names: list[str], lang: str | None = DEFAULT) -> str:
    """"A", "A and B", "A, B and C" — or "A、B 和 C" in Chinese."""
    if len(names) <= 1:
        return "".join(names)
    return t("starter.names_last", lang, first=t("starter.names_sep", lang).join(names[:-1]), last=names[-1])


def starter_prompt(kind: Starter | str, names: list[str], lang: str | None = DEFAULT) -> str:
    """The starter's text in `lang`, naming everyone in `names` (card order)."""
    kind = Starter(kind)
    if not names:
        names = [spec.character_tag(1), spec.character_tag(2)] if kind in NEEDS_TWO else [spec.character_tag(1)]
    if len(names) == 1:
        return t(f"starter.{kind.value}.solo", lang, a=names[0])
    duo = f"starter.{kind.value}.duo"
    others = names[2:]
    rest = ""
    if others and "rest" in fields(CATALOGS[language(lang)][duo]):
        rest = t(f"starter.{kind.value}.rest_{'one' if len(others) == 1 else 'many'}", lang,
                 others=join_names(others, lang))
    return t(duo, lang, a=names[0], b=names[1], all=join_names(names, lang), rest=rest)
