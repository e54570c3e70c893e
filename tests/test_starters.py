"""Scene starters as tables: each writes a whole scene naming every character of the cast (its
`@Name` when the card has a character name, else its tag), with 0, 1, 2 and 5 cards, and the
prompt's tag hints are satisfied from the start."""

from __future__ import annotations

import re

import pytest

from r2v_ui import spec
from r2v_ui.messages import EN, ZH, t
from r2v_ui.request import check_character_tags
from r2v_ui.starters import Starter, join_names, starter_prompt
from r2v_ui.ui.starters import names_for_prompt, prompt_for_cast
from r2v_ui.workspace.cast import Card
from tests.lang_terms import foreign_words


def card(n: int, name: str = "") -> Card:
    return Card(kind="image", path=f"/tmp/c{n}.png", name=f"c{n}.png", verdict="accepted",
                character=name)  # the Name box of the card (Card.with_character)


def named_cast(tmp_path) -> list[Card]:
    """Two checked cards whose Name boxes say Mira and Robo."""
    from PIL import Image

    cast = []
    for i, (name, colour) in enumerate((("Mira", "tomato"), ("Robo", "royalblue")), start=1):
        path = tmp_path / f"c{i}.png"
        Image.new("RGB", (480, 640), colour).save(path)
        cast.append(Card(kind="image", path=str(path), name=path.name, verdict="accepted").with_character(name))
    return cast


CASTS = {0: [], 1: [card(1)], 2: [card(1), card(2)], 5: [card(n) for n in range(1, 6)]}


@pytest.mark.parametrize("kind", list(Starter))
@pytest.mark.parametrize("n", sorted(CASTS))
def test_a_starter_names_every_character_of_the_cast_once_at_least(kind, n):
    text = prompt_for_cast(kind, CASTS[n])
    named = set(spec.tags_in_prompt(text))
    if n == 0:  # written for the tags the first cards will have
        assert named and min(named) == 1 and named <= {1, 2}
    else:
        assert named == set(range(1, n + 1))
        assert check_character_tags(text, n) == []  # no hint to fix: nothing unknown, nobody unnamed
    assert "{" not in text and "  " not in text and len(text) < spec.PROMPT_MAX
    assert text.endswith(".")


def test_two_person_scenes_with_one_card_are_written_for_one():
    one = CASTS[1]
    for kind in Starter:
        text = prompt_for_cast(kind, one)
        assert "character2" not in text and "character1" in text


def test_a_card_with_a_character_name_is_written_as_at_name_and_the_others_by_their_tag():
    cast = [card(1, "Mira"), card(2), card(3, "Robo")]
    assert names_for_prompt(cast) == ["@Mira", "character2", "@Robo"]
    text = prompt_for_cast(Starter.DIALOGUE, cast)
    assert text.startswith("@Mira and character2 sit across a café table")
    assert "@Robo listens from the next table." in text  # one more: the singular


def test_the_others_beyond_two_are_joined_in_plain_english():
    text = starter_prompt(Starter.CHASE, ["A", "B", "C", "D", "E"])
    assert "A sprints" in text and "while B chases" in text and "C, D and E try to keep up." in text
    assert starter_prompt(Starter.DANCE, ["A", "B", "C"]).startswith("A, B and C dance together")
    assert [join_names(x) for x in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == ["", "A", "A and B", "A, B and C"]


def test_a_name_at_name_cannot_stand_for_falls_back_to_the_tag_and_trailing_empty_cards_are_not_named():
    cast = [card(1, "Old Tom"), card(2, "character7"), card(3, "Mira"), Card()]
    assert names_for_prompt(cast) == ["character1", "character2", "@Mira"]


def test_a_starter_with_names_is_sent_with_the_cards_tags(tmp_path):
    # The @Names a starter writes are the ones build_draft resolves: the service gets character tags.
    from r2v_ui.workspace import form

    cast = named_cast(tmp_path)
    written = prompt_for_cast(Starter.CHASE, cast)
    assert written.startswith("@Mira sprints") and "while @Robo chases" in written
    draft = form.build_draft(cast, form.FormValues(prompt=written))
    assert draft.prompt.startswith("character1 sprints") and "while character2 chases" in draft.prompt
    assert "@" not in draft.prompt


def test_every_starter_has_a_short_label_and_distinct_text():
    labels = [t(f"ui.starter.{k.value}", EN) for k in Starter]
    assert labels == ["Dialogue", "Product demo", "Dance", "Chase", "Interview"]
    texts = {starter_prompt(k, ["X", "Y"]) for k in Starter}
    assert len(texts) == len(Starter)
    assert all(re.search(r"\bX\b", x) and re.search(r"\bY\b", x) for x in texts)


# --- the same scenes for a Chinese page ----------------------------------------------------------

@pytest.mark.parametrize("kind", list(Starter))
@pytest.mark.parametrize("n", sorted(CASTS))
def test_a_chinese_starter_names_every_character_and_holds_no_english_words(kind, n):
    text = prompt_for_cast(kind, CASTS[n], ZH)
    named = set(spec.tags_in_prompt(text))
    if n == 0:
        assert named and min(named) == 1 and named <= {1, 2}
    else:
        assert named == set(range(1, n + 1))
        assert check_character_tags(text, n) == []
    assert "{" not in text and "  " not in text and len(text) < spec.PROMPT_MAX
    assert text.endswith("。") and text != prompt_for_cast(kind, CASTS[n], EN)
    assert foreign_words(text) == []  # the tags are the model's own terms; everything else is Chinese


@pytest.mark.parametrize("kind", list(Starter))
def test_a_chinese_starter_keeps_at_names_as_they_are_and_joins_the_others_the_chinese_way(kind):
    names = ["@Mira", "character2", "@Robo", "@Kai"]
    text = starter_prompt(kind, names, ZH)
    for name in names:
        assert re.search(re.escape(name) + r"(?![\w-])", text), (name, text)  # whole, not run into the next word
    assert set(foreign_words(text)) <= {"Mira", "Robo", "Kai"}
    assert ", " not in text and " and " not in text


def test_chinese_lists_of_names_use_the_enumeration_comma_and_he():
    assert [join_names(x, ZH) for x in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == ["", "A", "A 和 B", "A、B 和 C"]
    text = starter_prompt(Starter.CHASE, ["A", "B", "C", "D", "E"], ZH)
    assert text.startswith("A 在熙熙攘攘的夜市里狂奔") and "B 紧追在后" in text and "C、D 和 E 都拼命想跟上。" in text
    assert starter_prompt(Starter.DANCE, ["A", "B", "C"], ZH).startswith("日落时分，A、B 和 C 在天台上")
    assert starter_prompt(Starter.DIALOGUE, ["A", "B", "C"], ZH).count("C 在邻桌静静听着。") == 1  # one: no 都


def test_a_chinese_starter_with_names_is_sent_with_the_cards_tags(tmp_path):
    from r2v_ui.workspace import form

    cast = named_cast(tmp_path)
    written = prompt_for_cast(Starter.INTERVIEW, cast, ZH)  # "@Robo 在……采访 @Mira：@Robo 提出……"
    assert written.startswith("@Robo 在安静的演播室里采访 @Mira：")
    draft = form.build_draft(cast, form.FormValues(prompt=written))
    assert draft.prompt.startswith("character2 在安静的演播室里采访 character1：") and "@" not in draft.prompt


def test_with_no_language_a_starter_is_english():
    assert starter_prompt(Starter.DANCE, ["A"]) == starter_prompt(Starter.DANCE, ["A"], EN) != \
        starter_prompt(Starter.DANCE, ["A"], ZH)
