"""Language helpers live in r2v_ui/messages only (issue 20, item 5): no module outside it branches on
a language (`lang == ZH`, `lang != "zh-CN"`, `lang.startswith("zh")`), and a message is put into words
under one name, `render_msg`, imported as itself (a component's `render()` builds widgets; an alias
such as `render as words` once let the two be confused)."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import r2v_ui
from r2v_ui import messages
from r2v_ui.messages import EN, ZH, formats, msg, phrase_list, sentences, t, word_list

ROOT = Path(r2v_ui.__file__).parent
OUTSIDE_MESSAGES = [p for p in ROOT.rglob("*.py") if "messages" not in p.relative_to(ROOT).parts[:1]]


def _is_language(node: ast.AST) -> bool:
    """`ZH`, `messages.ZH`, `EN`, or a language tag written out ("zh-CN", "zh", "en")."""
    if isinstance(node, ast.Name) and node.id in {"ZH", "EN"}:
        return True
    if isinstance(node, ast.Attribute) and node.attr in {"ZH", "EN"}:
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in {"zh-cn", "zh", "en"}


def language_branches(source: str) -> list[int]:
    """Lines where a value is compared with a language, or a tag is tested for a language prefix."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(_is_language(side) for side in (node.left, *node.comparators)):
            out.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith"
              and node.args and _is_language(node.args[0])):
            out.append(node.lineno)
    return out


def aliased_message_imports(source: str) -> list[tuple[int, str]]:
    """`from …messages import x as y` (any module of the catalog package): a second name for one thing."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] in {"messages", "formats"}:
            out += [(node.lineno, f"{a.name} as {a.asname}") for a in node.names if a.asname and a.asname != a.name]
        if isinstance(node, ast.Import):
            out += [(node.lineno, f"{a.name} as {a.asname}") for a in node.names
                    if a.asname and a.name.startswith("r2v_ui.messages")]
    return out


def test_the_checks_find_what_they_look_for():
    assert language_branches('sep = "，" if lang == ZH else ", "') == [1]
    assert language_branches('x = 1 if "zh-CN" != lang else 2') == [1]
    assert language_branches('zh = lang.startswith("zh")') == [1]
    assert language_branches('x = word_list(items, lang)') == []
    assert aliased_message_imports("from ..messages import render_msg as words") == [(1, "render_msg as words")]
    assert aliased_message_imports("from ..messages import render_msg, t") == []


def test_no_module_outside_messages_branches_on_a_language():
    found = {str(p.relative_to(ROOT)): lines for p in OUTSIDE_MESSAGES
             if (lines := language_branches(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_a_message_is_put_into_words_under_one_name_never_an_alias():
    here = Path(__file__).parent
    found = {str(p): hits for p in [*ROOT.rglob("*.py"), *here.rglob("*.py")]
             if (hits := aliased_message_imports(p.read_text(encoding="utf-8")))}
    assert found == {}
    assert not hasattr(messages, "render")  # one name: render_msg (a component's render() builds widgets)


def test_lists_and_sentences_are_punctuated_each_language_its_own_way():
    assert word_list(["Mira", "Bolt"], EN) == "Mira, Bolt"
    assert word_list(["Mira", "Bolt"], ZH) == "Mira、Bolt"
    assert phrase_list(["2 characters", "5 s"], EN) == "2 characters, 5 s"
    assert phrase_list(["2 个角色", "5 秒"], ZH) == "2 个角色，5 秒"
    assert sentences(["Nothing was sent.", "Fix the seed."], EN) == "Nothing was sent. Fix the seed."
    assert sentences(["没有发送任何内容。", "请修改种子。"], ZH) == "没有发送任何内容。请修改种子。"
    assert sentences(["", "Only this."], EN) == "Only this."
    assert t("history.timing_row", EN, label="Took", value="5 s") == "Took: 5 s"
    assert t("history.timing_row", ZH, label="耗时", value="5 秒") == "耗时：5 秒"
    assert messages.render_msg(msg("history.timing_row", label="Took", value="5 s"), EN) == "Took: 5 s"


def test_moments_are_written_each_language_its_own_way():
    at = time.mktime((2026, 11, 25, 21, 10, 5, 0, 0, -1))
    assert formats.day_time(at, EN) == "25 Nov 21:10"
    assert formats.day_time(at, ZH) == "11月25日 21:10"
    assert formats.moment(at, EN) == "2026-11-25 21:10:05"
    assert formats.moment(at, ZH) == "2026年11月25日 21:10:05"
    assert formats.moment(None, EN) == "—"
