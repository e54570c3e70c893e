"""`@Name` in the prompt, rewritten to the service's tags: tables of what is written and what is sent."""

from __future__ import annotations

import pytest

from r2v_ui import prompt_names
from r2v_ui.prompt_names import resolve
from r2v_ui.ui import fieldnotes

REWRITES = [
    # (prompt as written, card names in card order, prompt as sent)
    ("@Mira hands @Robo a cup", ["Mira", "Robo"], "character1 hands character2 a cup"),
    ("@Robo hands @Mira a cup", ["Mira", "Robo"], "character2 hands character1 a cup"),
    # a name that is the start of another: the longest that fits wins, and a name ends where its word ends
    ("@Mira greets @Mi", ["Mi", "Mira"], "character2 greets character1"),
    ("@Mi greets @Mira", ["Mira", "Mi"], "character2 greets character1"),
    ("@Mi, then @Mira.", ["Mi", "Mira"], "character1, then character2."),
    # Chinese text around a name: no spaces needed
    ("@Mira和@Robo吵架", ["Mira", "Robo"], "character1和character2吵架"),
    ("在雨中，@Mira把伞递给@Robo。", ["Mira", "Robo"], "在雨中，character1把伞递给character2。"),
    ("@米拉 和 @Robo", ["米拉", "Robo"], "character1 和 character2"),
    # an address or a word with an @ inside: left alone
    ("mail mira@example.com to @Robo", ["Mira", "Robo"], "mail mira@example.com to character2"),
    ("write to robo@Mira.org", ["Mira"], "write to robo@Mira.org"),
    ("x@Mira", ["Mira"], "x@Mira"),
    # case does not matter; punctuation ends a name
    ("@mira waves. (@ROBO!)", ["Mira", "Robo"], "character1 waves. (character2!)"),
    ("@Mira's cup", ["Mira"], "character1's cup"),
    # the tags themselves and a lone @ pass through unchanged
    ("character1 meets @Robo at 3 @ noon", ["Mira", "Robo"], "character1 meets character2 at 3 @ noon"),
    ("@3pm sharp, @Mira", ["Mira"], "@3pm sharp, character1"),
    # a card with no name is simply not reachable by @
    ("@Robo waves", ["", "Robo"], "character2 waves"),
]


@pytest.mark.parametrize("written,names,sent", REWRITES)
def test_names_are_rewritten_to_tags(written, names, sent):
    r = resolve(written, names)
    assert r.problems == ()
    assert r.sent == sent
    assert r.written == written
    assert r.changed == (sent != written)


PROBLEMS = [
    # (prompt, names, the name the problem is about, words the message must contain)
    ("@Mira hands @Robo a cup", ["Mira"], "Robo", ["@Robo", "no card is called Robo", "Mira", "Name box"]),
    ("@Miranda waves", ["Mira"], "Miranda", ["@Miranda"]),
    ("@Mira和@Robo吵架", ["Mira"], "Robo", ["@Robo"]),
    ("@米拉在哭", [], "米拉在哭", ["@米拉在哭", "Name box"]),
    ("@Mira and @Mira", ["Mira", "mira"], "Mira", ["2 cards are named Mira", "character1 and character2"]),
]


@pytest.mark.parametrize("written,names,about,words", PROBLEMS)
def test_a_name_with_no_card_is_a_clear_problem(written, names, about, words):
    r = resolve(written, names)
    assert not r.ok
    assert [p.name for p in r.problems] == [about]
    for w in words:
        assert w in r.problems[0].message


def test_each_unknown_name_is_said_once():
    r = resolve("@Zed waves at @Zed and @Yan", ["Mira"])
    assert [p.name for p in r.problems] == ["Zed", "Yan"]


NAMES = [
    ("Mira", None), ("Robo_2", None), ("Mary-Jane", None), ("米拉", None), ("@Mira ", None), ("", None),
    ("2Mira", prompt_names.NAME_RULE), ("Mira Jones", prompt_names.NAME_RULE), ("Mi.ra", prompt_names.NAME_RULE),
    ("x" * 41, prompt_names.NAME_RULE),
]


@pytest.mark.parametrize("name,problem", NAMES)
def test_which_names_a_character_may_have(name, problem):
    assert prompt_names.name_problem(name) == problem


def test_a_tag_is_not_a_name():
    message = prompt_names.name_problem("character2")
    assert message is not None and "character2" in str(message)


# --- in the form: the one place drafts are built (the page, the API and MCP) --------------------

def _card(path: str, character: str):
    from r2v_ui.workspace.cast import Card

    return Card(kind="image", path=path, name=path, verdict="accepted", character=character)


def test_moving_a_card_keeps_each_name_on_its_character():
    from r2v_ui.workspace import cast as cast_mod
    from r2v_ui.workspace import form

    cast = [_card("/tmp/mira.png", "Mira"), _card("/tmp/robo.png", "Robo")]
    values = form.FormValues(prompt="@Mira hands @Robo a cup")
    assert form.build_draft(cast, values).prompt == "character1 hands character2 a cup"
    moved = cast_mod.move_card(cast, 0, +1)
    draft = form.build_draft(moved, values)
    assert draft.prompt == "character2 hands character1 a cup"
    assert draft.written_prompt == "@Mira hands @Robo a cup"
    assert [r.character for r in draft.references] == ["Robo", "Mira"]
    assert form.values_from_draft(draft).prompt == "@Mira hands @Robo a cup"


def test_a_name_with_no_card_refuses_the_draft_and_the_page_says_which():
    from r2v_ui.workspace import form

    cast = [_card("/tmp/mira.png", "Mira")]
    values = form.FormValues(prompt="@Mira hands @Robo a cup")
    with pytest.raises(ValueError, match="@Robo, but no card is called Robo"):
        form.build_draft(cast, values)
    hints = fieldnotes.hints_html(values.prompt, cast)
    assert "no card is called Robo" in hints and "hint-error" in hints
    assert "As sent:" in hints and "character1 hands @Robo a cup" in hints


def test_the_limit_and_the_tag_hints_are_about_the_prompt_as_sent():
    from r2v_ui import spec
    from r2v_ui.request import RequestInvalid
    from r2v_ui.workspace import form

    cast = [_card("/tmp/a.png", "A")]
    # 1,500 characters as written, but "@A" becomes "character1": over the limit as sent.
    written = "@A " + "x" * (spec.PROMPT_MAX - 3)
    assert len(written) == spec.PROMPT_MAX
    assert "count-over" in fieldnotes.prompt_count(written, cast)
    draft = form.build_draft(cast, form.FormValues(prompt=written))
    with pytest.raises(RequestInvalid):
        draft.preview_request().require_valid()
    # A card named only through @Name counts as named: no "never names character1" warning.
    assert "Every character is named" in fieldnotes.hints_html("@A waves", cast)
    assert "As sent:" not in fieldnotes.hints_html("character1 waves", cast)  # shown only when it differs


def test_a_named_card_the_prompt_never_names_is_hinted_by_its_name():
    cast = [_card("/tmp/mira.png", "Mira"), _card("/tmp/b.png", "")]
    hints = fieldnotes.hints_html("a quiet street", cast)
    assert "never names @Mira (character1); write @Mira in the prompt" in hints
    assert "never names character2; write it in the prompt" in hints


def test_a_name_that_breaks_the_rule_is_never_listed_back():
    """The unknown-name sentence lists the cards' names; one the name rule refuses (a right-to-left
    override, a control character) is left out, so text that reorders or hides what follows is never
    echoed to the page or an assistant."""
    [problem] = resolve("@Zed waves", ["Mi\u202eRa", "Robo", "Bad\u0000name"]).problems
    assert problem.name == "Zed" and "(the cards are named Robo)" in problem.message
    assert "\u202e" not in problem.message and "\u0000" not in problem.message
