"""`@Name` in a prompt: the names a user gives the cards, rewritten to the tags the service reads.

The service knows its references only as `character1`, `character2`, … in `media` order (SPEC.md).
A user would rather write "@Mira hands @Robo a cup".  `resolve` turns what was written into what is
sent, at the moment the draft is built, so a card moved since the prompt was written still gets
its right tag.  Pure functions, no Gradio; tested as tables (tests/test_prompt_names.py).

The rules:
* `@` starts a name only where a word does not go on before it: `mira@example.com` is an address,
  left alone.
* the longest card name that fits wins (`@Mira` is Mira even when a card is named Mi), and a name
  must end where the word ends (`@Miranda` is not Mira) — except before Chinese, Japanese or Korean
  text, which runs on without spaces ("@Mira和@Robo吵架");
* names are matched without regard to case;
* an `@word` that names no card is a problem, said in words, and nothing is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from . import spec
from .messages import Msg, msg

NAME_MAX = 40

# What the user reads is in the catalog ("names.*"): a problem is a Msg, rendered by the page in its
# reader's language (`str()` is the English sentence).
NAME_RULE = msg("names.rule", max=NAME_MAX)

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
_NAME_RE = re.compile(r"[^\W\d_][\w-]*")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD_RUN = re.compile(f"(?:(?![{_CJK}])[^\\W\\d_])(?:(?![{_CJK}])[\\w-])*")
_TAG_LIKE = re.compile(r"character\d*", re.IGNORECASE)


@dataclass(frozen=True)
class NameProblem:
    name: str      # the name as written after @ (or the card name that is not unique)
    msg: Msg       # one plain sentence: what is wrong and what to do

    @property
    def message(self) -> str:
        """In English (logs, MCP, API); the page renders `msg` in its reader's language."""
        return str(self.msg)


@dataclass(frozen=True)
class Resolution:
    written: str                       # the prompt as the user wrote it (kept for remix)
    sent: str                          # the prompt the service receives
    problems: tuple[NameProblem, ...]  # any of these: nothing is sent

    @property
    def changed(self) -> bool:
        return self.sent != self.written

    @property
    def ok(self) -> bool:
        return not self.problems


def clean_name(name: str | None) -> str:
    """A name as typed, without surrounding spaces or a leading @."""
    return (name or "").strip().lstrip("@").strip()


def name_problem(name: str | None) -> Msg | None:
    """Why `name` cannot be a character's name, or None.  An empty name is allowed (no @Name)."""
    name = clean_name(name)
    if not name:
        return None
    if len(name) > NAME_MAX or not _NAME_RE.fullmatch(name):
        return NAME_RULE
    if _TAG_LIKE.fullmatch(name):
        return msg("names.is_tag", name=name)
    return None


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_RUN.fullmatch(ch))


def _continues_word(ch: str) -> bool:
    """A character that would make the name before it part of a longer word."""
    return (ch.isalnum() or ch == "_") and not _is_cjk(ch)


def _joins_before(ch: str) -> bool:
    """A character before `@` that makes it part of an address or a word, not a name (CJK text
    runs on without spaces, so it never does)."""
    return _continues_word(ch) or ch in "_.-+"


def _written_name(rest: str) -> str:
    """The word after an `@` that matched no card: a run of CJK text, or a word."""
    m = _CJK_RUN.match(rest) or _WORD_RUN.match(rest)
    return m.group(0) if m else ""


def resolve(prompt: str | None, names: Sequence[str | None]) -> Resolution:
    """The prompt as sent: each `@Name` of card n (names[n-1]) becomes `character<n>`."""
    text = prompt or ""
    cards: dict[str, list[int]] = {}
    for n, raw in enumerate(names, start=1):
        name = clean_name(raw)
        if name and name_problem(name) is None:
            cards.setdefault(name.lower(), []).append(n)
    by_length = sorted(cards, key=len, reverse=True)
    out: list[str] = []
    problems: dict[str, NameProblem] = {}
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "@" and (i == 0 or not _joins_before(text[i - 1])):
            rest = text[i + 1:]
            match = next((key for key in by_length if rest[:len(key)].lower() == key
                          and (len(rest) == len(key) or not _continues_word(rest[len(key)]))), None)
            if match is not None:
                numbers = cards[match]
                written = rest[:len(match)]
                if len(numbers) > 1 and match not in problems:
                    problems[match] = NameProblem(written, msg(
                        "names.same", count=len(numbers), name=written,
                        tags=joined([spec.character_tag(n) for n in numbers], "names.and")))
                out.append(spec.character_tag(numbers[0]))
                i += 1 + len(match)
                continue
            written = _written_name(rest)
            if written and written.lower() not in problems:
                # Only names that can be names are listed: a name refused by `name_problem` (control or
                # direction characters, say) is never echoed back.
                known = [clean_name(n) for n in names if clean_name(n) and name_problem(n) is None]
                listed = msg("names.cards_are", names=joined(known, "names.comma")) if known else ""
                problems[written.lower()] = NameProblem(written, msg("names.unknown", name=written, cards=listed))
        out.append(ch)
        i += 1
    return Resolution(written=text, sent="".join(out), problems=tuple(problems.values()))


def joined(items: Sequence[str], code: str) -> Msg | str:
    """Names one after another, the reader's way ("Mira, Robo" / "Mira、Robo"): `code` is "names.comma"
    or "names.and" (only the last two are joined by it; the others by a comma)."""
    if len(items) <= 1:
        return items[0] if items else ""
    head: Msg | str = items[0]
    for item in items[1:-1]:
        head = msg("names.comma", head=head, tail=item)
    return msg(code, head=head, tail=items[-1])
