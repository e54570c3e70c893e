"""The storyboard as tables: the prompt it composes (an overall line, then `Shot k [start-end s]: …`),
the time ranges, Fit (whole seconds, each at least 1 s, the sum exact), the limits in plain words,
and the form's reading of the rows a browser or an API client sends (build_draft is the one place a
draft is made: page, API and MCP)."""

from __future__ import annotations

from pathlib import Path

import pytest

from r2v_ui import spec
from r2v_ui.request import check_character_tags
from r2v_ui.storyboard import FitImpossible, Shot, Storyboard, fit
from r2v_ui.workspace import form
from r2v_ui.workspace.cast import Card


def board(*shots: tuple[str, int | None], overall: str = "Two friends in a kitchen at night.") -> Storyboard:
    return Storyboard(overall, tuple(Shot(t, s) for t, s in shots))


COMPOSE = [
    ("three shots",
     board(("character1 opens the fridge", 2), ("character2 grabs the last cookie", 2), ("Both laugh", 1)),
     "Two friends in a kitchen at night.\n"
     "Shot 1 [0-2s]: character1 opens the fridge\n"
     "Shot 2 [2-4s]: character2 grabs the last cookie\n"
     "Shot 3 [4-5s]: Both laugh"),
    ("no overall line: the shots alone", board(("A", 3), ("B", 7), overall="  "),
     "Shot 1 [0-3s]: A\nShot 2 [3-10s]: B"),
    ("a shot's own line breaks and spaces fold into one line",
     board(("  wide shot,\n\n  the door opens  ", 1), ("close-up", 1), overall="Rain."),
     "Rain.\nShot 1 [0-1s]: wide shot, the door opens\nShot 2 [1-2s]: close-up"),
    ("Chinese text is kept as written", board(("character1 推开门", 2), ("两人大笑", 3), overall="雨夜的厨房。"),
     "雨夜的厨房。\nShot 1 [0-2s]: character1 推开门\nShot 2 [2-5s]: 两人大笑"),
]


@pytest.mark.parametrize("name,b,expected", COMPOSE, ids=[c[0] for c in COMPOSE])
def test_the_composed_prompt_is_the_overall_line_then_one_timed_line_per_shot(name, b, expected):
    assert b.compose() == expected


def test_the_time_ranges_follow_one_another_and_end_at_the_total():
    b = board(("a", 1), ("b", 4), ("c", 2), ("d", 3))
    assert [(t.number, t.start, t.end) for t in b.timeline()] == [(1, 0, 1), (2, 1, 5), (3, 5, 7), (4, 7, 10)]
    assert b.total == 10 and b.problems(10) == []


FIT = [
    ("10 s over 3 shots: the spare second to the first", [None, None, None], 10, [4, 3, 3]),
    ("15 s over 4 shots", [None, None, None, None], 15, [4, 4, 4, 3]),
    ("scaled up in proportion", [2, 2, 1], 8, [3, 3, 2]),
    ("scaled down in proportion", [3, 3, 3], 5, [2, 2, 1]),
    ("a long shot keeps the most", [5, 1], 10, [8, 2]),
    ("no shot under 1 s: taken back from the longest", [1, 1, 8], 4, [1, 1, 2]),
    ("six shots in six seconds", [1, 1, 1, 1, 1, 9], 6, [1, 1, 1, 1, 1, 1]),
    ("already right: unchanged", [2, 3], 5, [2, 3]),
]


@pytest.mark.parametrize("name,lengths,duration,expected", FIT, ids=[c[0] for c in FIT])
def test_fit_gives_whole_seconds_of_at_least_one_that_add_up_exactly(name, lengths, duration, expected):
    out = fit(lengths, duration)
    assert out == expected
    assert sum(out) == duration and all(isinstance(n, int) and n >= 1 for n in out)


def test_six_shots_cannot_fit_in_five_seconds_and_the_user_is_told_what_to_do():
    with pytest.raises(FitImpossible) as err:
        fit([1] * 6, 5)
    assert str(err.value) == ("6 shots need at least 6 s, but the video is 5 s: remove a shot or make the video "
                              "longer.")
    b = board(*[(f"shot {k}", 1) for k in range(1, 7)])
    assert [p.message for p in b.problems(5)] == [str(err.value)]


LIMITS = [
    ("one shot", board(("alone", 5)), 5, ["A storyboard has 2 to 6 shots; this one has 1."]),
    ("seven shots", board(*[("x", 1)] * 7), 7, ["A storyboard has 2 to 6 shots; this one has 7."]),
    ("a shot with no text", board(("a", 2), ("  ", 3)), 5,
     ["Shot 2 has no text: write what happens in it, or remove the shot."]),
    ("a length that was not whole seconds", board(("a", None), ("b", 3)), 5,
     ["Shot 1 needs a length in whole seconds, at least 1 s."]),
    ("lengths that do not add up", board(("a", 3), ("b", 3)), 5,
     ["The shots last 6 s, but the video is 5 s: fit them to 5 s or change the lengths."]),
    ("too long once composed", board(("a" * 740, 2), ("b" * 740, 3)), 5,
     ["The prompt as sent (the overall line and every shot) has 1546 characters; the limit is 1500: shorten "
      "the shots or the overall line."]),
]


@pytest.mark.parametrize("name,b,duration,messages", LIMITS, ids=[c[0] for c in LIMITS])
def test_what_stops_a_storyboard_is_said_in_plain_words(name, b, duration, messages):
    assert [p.message for p in b.problems(duration)] == messages


def test_the_limit_is_checked_on_the_composed_text_not_the_overall_line():
    # The words typed fit (34 + 730 + 730 = 1494 characters); with the time ranges they do not.
    b = board(("x" * 730, 2), ("y" * 730, 3))
    assert len(b.overall) + sum(len(s.text) for s in b.shots) <= spec.PROMPT_MAX < len(b.compose()) == 1526
    assert [p.message for p in b.problems(5)] == [
        "The prompt as sent (the overall line and every shot) has 1526 characters; the limit is 1500: shorten "
        "the shots or the overall line."]
    assert board(("x" * 700, 2), ("y" * 700, 3)).problems(5) == []


def test_a_storyboard_survives_the_job_record_and_an_odd_record_is_none():
    b = board(("a", 2), ("b", 3))
    assert Storyboard.from_record(b.to_record()) == b
    assert Storyboard.from_record(None) is None
    assert Storyboard.from_record({"shots": "no"}) is None


# --- the form: rows as sent, and the one draft ----------------------------------------------------------------

def cast_of_two(tmp_path: Path) -> list[Card]:
    from PIL import Image

    cards = []
    for i, colour in enumerate(("tomato", "royalblue"), start=1):
        path = tmp_path / f"c{i}.png"
        Image.new("RGB", (480, 640), colour).save(path)
        cards.append(Card(kind="image", path=str(path), name=path.name, verdict="accepted"))
    return cards


ROWS = [{"text": "character1 opens the fridge", "seconds": 3}, {"text": "character2 takes the cookie", "seconds": 2}]


def test_a_multi_shot_draft_sends_the_composed_prompt_and_keeps_the_shot_list(tmp_path):
    values = form.FormValues(prompt="A kitchen at night.", shot_type="multi", duration=5, shots=ROWS)
    draft = form.build_draft(cast_of_two(tmp_path), values)
    assert draft.prompt == ("A kitchen at night.\nShot 1 [0-3s]: character1 opens the fridge\n"
                            "Shot 2 [3-5s]: character2 takes the cookie")
    assert draft.storyboard == Storyboard("A kitchen at night.", (Shot(ROWS[0]["text"], 3), Shot(ROWS[1]["text"], 2)))
    assert draft.preview_request().to_body()["prompt"] == draft.prompt  # what the service gets
    assert "storyboard" not in draft.preview_request().to_body()
    assert draft.settings()["storyboard"]["shots"][1] == {"text": "character2 takes the cookie", "seconds": 2}
    # A remix puts the overall line back in the prompt box and the rows back in the storyboard.
    back = form.values_from_draft(draft)
    assert back.prompt == "A kitchen at night." and list(back.shots) == ROWS and back.shot_type == "multi"
    assert form.build_draft(cast_of_two(tmp_path), back).prompt == draft.prompt


SENT = [
    ("pairs instead of dicts", [["character1 waves", "2"], ["character2 waves", 3.0]], None),
    ("empty rows: the prompt as typed", [{"text": "", "seconds": 2}, {"text": " ", "seconds": 3}], "as typed"),
    ("a length of 2.5 s is not rounded", [{"text": "a", "seconds": 2.5}, {"text": "b", "seconds": 3}],
     "Shot 1 needs a length in whole seconds"),
    ("not a list", "Shot 1: hello", "The shot list must be a list of shots"),
    ("a row that is not a shot", [{"text": "a", "seconds": 2}, 7], "The shot list must be a list of shots"),
    ("lengths that do not add up", [{"text": "a", "seconds": 1}, {"text": "b", "seconds": 1}],
     "The shots last 2 s, but the video is 5 s"),
]


@pytest.mark.parametrize("name,shots,outcome", SENT, ids=[c[0] for c in SENT])
def test_the_rows_as_sent_are_read_or_refused_in_words(tmp_path, name, shots, outcome):
    values = form.FormValues(prompt="character1 and character2 in the rain", shot_type="multi", duration=5,
                             shots=shots)
    if outcome in (None, "as typed"):
        draft = form.build_draft(cast_of_two(tmp_path), values)
        if outcome == "as typed":
            assert draft.prompt == values.prompt and draft.storyboard is None
        else:
            assert draft.prompt.splitlines()[1:] == ["Shot 1 [0-2s]: character1 waves", "Shot 2 [2-5s]: character2 waves"]
    else:
        with pytest.raises(ValueError) as err:
            form.build_draft(cast_of_two(tmp_path), values)
        assert outcome in str(err.value)


def test_a_single_shot_video_ignores_the_shot_list(tmp_path):
    values = form.FormValues(prompt="character1 and character2 wave", shot_type="single", duration=5, shots=ROWS)
    draft = form.build_draft(cast_of_two(tmp_path), values)
    assert draft.prompt == "character1 and character2 wave" and draft.storyboard is None
    assert "storyboard" not in draft.settings()


def test_the_tag_hints_read_the_shots_too():
    # character2 is named only in a shot: with the storyboard, no "never names character2" warning.
    text = form.prompt_for_checks("A kitchen, character1 at the table.", "multi",
                                  [{"text": "character2 comes in", "seconds": 2}, {"text": "they talk", "seconds": 3}])
    assert check_character_tags(text, 2) == []
    assert form.prompt_for_checks("only the prompt", "single", ROWS) == "only the prompt"


def test_the_starting_rows_fit_every_duration_even_two_seconds():
    # What a remix of a job without a storyboard puts in the rows: lengths that already add up.
    import gradio as gr

    from r2v_ui.ui import storyboard as board_ui

    with gr.Blocks():
        w = board_ui.render(None)
    for d in range(spec.DURATION_MIN, spec.DURATION_MAX + 1):
        out = w.show((), d)
        n = out[w.count]
        assert n == min(3, d) and [out[w.texts[i]] for i in range(n)] == [""] * n
        assert sum(out[w.seconds[i]] for i in range(n)) == d
        assert all(out[w.seconds[i]] is None for i in range(n, 6))


def test_names_in_a_storyboard_are_sent_as_tags_and_come_back_as_written(tmp_path):
    """The issue's own scene: "@Mira and @Robo argue about the last cookie" as three shots."""
    cast = cast_of_two(tmp_path)
    cast[0], cast[1] = cast[0].with_character("Mira"), cast[1].with_character("Robo")
    rows = [{"text": "@Mira spots the last cookie", "seconds": 2}, {"text": "@Robo reaches for it", "seconds": 2},
            {"text": "@Mira和@Robo吵架", "seconds": 1}]
    values = form.FormValues(prompt="@Mira and @Robo argue about the last cookie", shot_type="multi", duration=5,
                             shots=rows)
    draft = form.build_draft(cast, values)
    assert draft.prompt == ("character1 and character2 argue about the last cookie\n"
                            "Shot 1 [0-2s]: character1 spots the last cookie\n"
                            "Shot 2 [2-4s]: character2 reaches for it\n"
                            "Shot 3 [4-5s]: character1和character2吵架")
    assert "@" not in draft.preview_request().to_body()["prompt"]
    back = form.values_from_draft(draft)  # a remix shows the names, not the tags
    assert back.prompt == values.prompt and list(back.shots) == rows
    cast[0] = cast[0].with_character("")  # a name that no card has any more: said before anything is sent
    with pytest.raises(ValueError, match="Mira"):
        form.build_draft(cast, values)
