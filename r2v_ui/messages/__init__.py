"""The catalog: codes with parameters below the UI, sentences in the viewer's language above it.

Lower layers (media, errors, jobs, hosting, spec) never compose a sentence: they return or raise a
`Msg` — a code and its parameters — and only `ui/` (and MCP answers) turn one into words with
`render_msg(msg, lang)` (one name for this kind of render: a component's `render()` builds widgets).  A job record stores its stage, error, warnings and notice as `Msg`s (JSON), so
an old job renders in the language of whoever looks at it.

The sentences live in one plain Python dict per language (`en.py`, `zh_CN.py`): a key, and a
`str.format` template whose named fields are the parameters.  `tests/test_messages.py` checks that
both languages have every key with the same fields.  A parameter may itself be a `Msg` (rendered in
the same language), a `Choices` (a list joined with the language's "or"), a `Duration` or a
`FileSize` (said in the unit that fits, formats.py), or a number that the template formats.  `str(msg)` is the English sentence, for logs and English-only callers.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from typing import Any, Mapping

from . import en, zh_CN

EN, ZH = "en", "zh-CN"
LANGUAGES: tuple[str, ...] = (EN, ZH)
DEFAULT = EN
CATALOGS: dict[str, Mapping[str, str]] = {EN: en.MESSAGES, ZH: zh_CN.MESSAGES}
LEGACY = "legacy_text"  # a sentence stored as finished English before the catalog: shown as it was


@dataclass(frozen=True)
class Choices:
    """Alternatives joined in the reader's language: "JPEG, PNG or BMP" / "JPEG、PNG 或 BMP"."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Sentences:
    """Whole sentences one after another ("A. B." / "甲。乙。")."""

    items: tuple["Msg", ...]


@dataclass(frozen=True)
class Duration:
    """A length of time, said the reader's way: "12 min" / "12 分钟"."""

    seconds: float


@dataclass(frozen=True)
class FileSize:
    """A number of bytes, said in the unit that fits it: "412 KB", "9.6 MB" / "512 字节"."""

    bytes: int


@dataclass(frozen=True)
class Msg:
    """A code and its parameters: what a lower layer says, before it is put in anyone's words."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in en.MESSAGES:
            raise KeyError(f"no message {self.code!r} in the catalog")

    def __str__(self) -> str:
        return render_msg(self, EN)

    def __hash__(self) -> int:
        return hash((self.code, json.dumps(to_data(self), sort_keys=True, default=str)))

    def to_json(self) -> str:
        return json.dumps(to_data(self), ensure_ascii=False, sort_keys=True)


def msg(code: str, /, **params: Any) -> Msg:
    return Msg(code, params)


def legacy(text: str) -> Msg:
    return Msg(LEGACY, {"text": text})


def language(lang: str | None) -> str:
    """One of LANGUAGES for any tag a browser sends ("zh", "zh-Hans-CN", "en-GB", None …)."""
    tag = (lang or "").strip().lower().replace("_", "-")
    if tag.startswith("zh"):
        return ZH
    return EN


def from_accept_language(header: str | None) -> str:
    """The first supported language in an Accept-Language header, by its q order; English otherwise."""
    best: tuple[float, int, str] | None = None
    for i, part in enumerate((header or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        if not tag or q <= 0:
            continue
        lower = tag.lower()
        if lower.startswith(("zh", "en")) and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, language(lower))
    return best[2] if best else DEFAULT


def render_msg(message: Msg | str | None, lang: str | None = DEFAULT) -> str:
    """The sentence for `message` in `lang`.  A plain str is returned as it is (already words)."""
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    lang = language(lang)
    template = CATALOGS[lang].get(message.code) or en.MESSAGES[message.code]
    values = {k: _value(v, lang) for k, v in message.params.items()}
    return template.format(**values)


def t(key: str, lang: str | None = DEFAULT, **params: Any) -> str:
    """A UI text by key: `t("history.empty", lang)`."""
    return render_msg(Msg(key, params), lang)


def both(key: str, *, markup: bool = False, **params: Any) -> str:
    """HTML for text drawn before any request is known (a page's first render): the sentence in each
    language, in a span marked with its `lang`; the page's CSS shows the one of `<html lang>`.
    `markup`: the catalog's text holds HTML of its own (<b>, <kbd>) and is not escaped."""
    import html

    def one(lang: str) -> str:
        said = t(key, lang, **params)
        return f'<span class="i18n" lang="{lang}">{said if markup else html.escape(said)}</span>'

    return "".join(one(lang) for lang in LANGUAGES)


def _value(v: Any, lang: str) -> Any:
    if isinstance(v, Msg):
        return render_msg(v, lang)
    if isinstance(v, Choices):
        return or_list(v.items, lang)
    if isinstance(v, Sentences):
        return sentences([render_msg(x, lang) for x in v.items], lang)
    if isinstance(v, Duration):
        from .formats import duration

        return duration(v.seconds, lang)
    if isinstance(v, FileSize):
        from .formats import file_size

        return file_size(v.bytes, lang)
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, Msg) for x in v):
        return and_list([render_msg(x, lang) for x in v], lang)  # phrases: "a, b and c" / "a，b，并且 c"
    return v


def or_list(items: tuple[str, ...] | list[str], lang: str | None = DEFAULT) -> str:
    items = list(items)
    if len(items) <= 1:
        return items[0] if items else ""
    if language(lang) == ZH:
        return "、".join(items[:-1]) + " 或 " + items[-1]
    return ", ".join(items[:-1]) + " or " + items[-1]


def and_list(items: list[str], lang: str | None = DEFAULT) -> str:
    if len(items) <= 1:
        return items[0] if items else ""
    if language(lang) == ZH:
        return "，".join(items[:-1]) + "，并且" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


# Punctuation of lists and sentences, each language its own way: the page never branches on a language.


def word_list(items: list[str] | tuple[str, ...], lang: str | None = DEFAULT) -> str:
    """Names or words side by side, no "and": "Mira, Bolt" / "Mira、Bolt"."""
    return ("、" if language(lang) == ZH else ", ").join(items)


def phrase_list(items: list[str] | tuple[str, ...], lang: str | None = DEFAULT) -> str:
    """Phrases one after another, no "and": "2 characters, 5 s" / "2 个角色，5 秒"."""
    return ("，" if language(lang) == ZH else ", ").join(items)


def sentences(items: list[str] | tuple[str, ...], lang: str | None = DEFAULT) -> str:
    """Sentences already in words, one after another: "A. B." / "甲。乙。" (Chinese puts no space between)."""
    return ("" if language(lang) == ZH else " ").join(x for x in items if x)


def fields(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template)
            if name}


# --- storing a Msg -------------------------------------------------------------------------------


def to_data(m: Msg) -> dict[str, Any]:
    return {"code": m.code, "params": {k: _param_data(v) for k, v in m.params.items()}}


def _param_data(v: Any) -> Any:
    if isinstance(v, Msg):
        return {"$msg": to_data(v)}
    if isinstance(v, Choices):
        return {"$choices": list(v.items)}
    if isinstance(v, Duration):
        return {"$seconds": v.seconds}
    if isinstance(v, FileSize):
        return {"$bytes": v.bytes}
    if isinstance(v, Sentences):
        return {"$sentences": [to_data(x) for x in v.items]}
    if isinstance(v, (list, tuple)):
        return [_param_data(x) for x in v]
    return v


def from_data(data: Any) -> Msg | None:
    """A stored Msg back; a stored plain string (or unknown code) becomes a legacy text."""
    if data is None:
        return None
    if isinstance(data, str):
        return legacy(data)
    code = data.get("code") if isinstance(data, dict) else None
    if code not in en.MESSAGES:
        return legacy(json.dumps(data, ensure_ascii=False))
    return Msg(code, {k: _param_back(v) for k, v in (data.get("params") or {}).items()})


def _param_back(v: Any) -> Any:
    if isinstance(v, dict) and "$msg" in v:
        return from_data(v["$msg"])
    if isinstance(v, dict) and "$choices" in v:
        return Choices(tuple(v["$choices"]))
    if isinstance(v, dict) and "$sentences" in v:
        return Sentences(tuple(from_data(x) for x in v["$sentences"]))
    if isinstance(v, dict) and "$seconds" in v:
        return Duration(float(v["$seconds"]))
    if isinstance(v, dict) and "$bytes" in v:
        return FileSize(int(v["$bytes"]))
    if isinstance(v, list):
        return tuple(_param_back(x) for x in v)
    return v


def dumps(m: Msg | None) -> str | None:
    return None if m is None else m.to_json()


def loads(text: str | None) -> Msg | None:
    """A column written by `dumps`, or an old plain-text one (shown as it was)."""
    if text is None or text == "":
        return None
    if text.startswith("{"):
        try:
            return from_data(json.loads(text))
        except ValueError:
            pass
    return legacy(text)
