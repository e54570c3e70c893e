"""The example cast is checked once per studio and language, and every visitor gets a cast of their own
(workspace/examplecards.py): "Try the example cast" used to check both pictures and the voice and
draw their thumbnails again on every click.

The checks are counted through a monkeypatch of `workspace.cast.check_media`/`check_voice` (the
functions the page calls); the second visitor's click calls neither.  What one visitor then does to
their cast (a new picture, a card deleted, the voice removed) changes neither another visitor's cast
nor the kept cards, and the example's files stay where they are.
"""

from __future__ import annotations

import logging
import os
import re
import threading

import pytest

from r2v_ui.examples import prepare_in_background
from r2v_ui.messages import EN, ZH
from r2v_ui.ui import cards as cards_mod
from r2v_ui.workspace import cast as cast_mod
from r2v_ui.workspace.examplecards import ExampleCards
from tests.fixtures_ui import character_png, running_studio


@pytest.fixture
def checks(monkeypatch):
    """How many times each check ran (the real checks still run)."""
    counts = {"media": 0, "voice": 0}
    lock = threading.Lock()

    def counted(name, real):
        def check(*args, **kwargs):
            with lock:
                counts[name] += 1
            return real(*args, **kwargs)
        return check

    monkeypatch.setattr(cast_mod, "check_media", counted("media", cast_mod.check_media))
    monkeypatch.setattr(cast_mod, "check_voice", counted("voice", cast_mod.check_voice))
    return counts


def files_of(cast) -> list[str]:
    return [p for c in cast for p in (c.path, c.voice_path) if p]


@pytest.mark.parametrize("lang", [EN, ZH])
def test_the_second_visitor_gets_the_checked_cards_without_checking_again(tmp_path, checks, lang):
    examples = ExampleCards(tmp_path / "examples", tmp_path / "checked", finish=cards_mod.with_thumb)
    ex_a, a = examples.cast(lang)
    first = dict(checks)
    assert first == {"media": 2, "voice": 1}, first  # two pictures, one voice
    ex_b, b = examples.cast(lang)
    assert checks == first, "the second visitor's click checked the example cast again"
    assert ex_a == ex_b and a == b
    assert all(c.example and c.thumb and c.thumb_of == c.path for c in a)  # thumbnails drawn once, kept
    assert a is not b and all(x is not y for x, y in zip(a, b))


def test_what_one_visitor_does_to_the_example_cast_leaves_the_others_alone(tmp_path, checks):
    examples = ExampleCards(tmp_path / "examples", tmp_path / "checked", finish=cards_mod.with_thumb)
    _, a = examples.cast(EN)
    _, b = examples.cast(EN)
    before = list(b)
    shared = files_of(a)
    # Visitor A: a new picture on card 1, card 2 deleted, the voice removed from card 1.
    upload = character_png(tmp_path / "ann.png", (200, 60, 60))
    a = cast_mod.replace_card(a, 0, cast_mod.check_media(a[0], str(upload), 1, a, 0, work_dir=tmp_path / "checked"))
    a = cast_mod.replace_card(a, 0, a[0].without_voice())
    del a[1]
    assert a[0].path != before[0].path and not a[0].has_voice and len(a) == 1
    assert b == before  # visitor B's cast is as it was
    _, c = examples.cast(EN)  # and a third visitor still gets the example as it was checked
    assert c == before and checks == {"media": 3, "voice": 1}  # 2 for the example, 1 for A's own picture
    assert shared and all(os.path.exists(p) for p in shared)


def test_two_first_visitors_at_once_check_the_cast_once(tmp_path, checks):
    examples = ExampleCards(tmp_path / "examples", tmp_path / "checked", finish=cards_mod.with_thumb)
    start = threading.Barrier(2)
    got: list = []

    def visit():
        start.wait()
        got.append(examples.cast(ZH)[1])

    threads = [threading.Thread(target=visit) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(got) == 2 and got[0] == got[1]
    assert checks == {"media": 2, "voice": 1}, checks


def test_a_removed_example_file_is_drawn_and_checked_again(tmp_path, checks):
    examples = ExampleCards(tmp_path / "examples", tmp_path / "checked", finish=cards_mod.with_thumb)
    _, a = examples.cast(EN)
    (tmp_path / "examples" / "bolt-the-robot.png").unlink()  # the data folder tidied by hand
    _, b = examples.cast(EN)
    assert checks == {"media": 4, "voice": 2}
    assert all(os.path.exists(p) for p in files_of(b))


def test_a_started_studio_has_its_example_cards_ready_and_a_click_checks_nothing(tmp_path, checks):
    gradio_client = pytest.importorskip("gradio_client")
    with running_studio(tmp_path / "data") as studio:
        studio.studio.examples_ready.join(120)  # the start-up thread: drawn, then checked (no visitor yet)
        assert studio.studio.example_cards.ready() and studio.studio.example_cards.ready(ZH)
        assert checks == {"media": 4, "voice": 2}, checks  # both languages: two pictures and a voice each
        one = gradio_client.Client(studio.url, verbose=False)
        first = one.predict(api_name="/load_example_cast")
        two = gradio_client.Client(studio.url, verbose=False)
        second = two.predict(api_name="/load_example_cast")
        assert checks == {"media": 4, "voice": 2}, "a visitor's click checked the example cast again"
    # The same cards (each session's own revision stamp aside), the example's prompt in both.
    unstamped = [re.sub(r'data-rev="[^"]*"', "", str(x)) for x in first], [re.sub(r'data-rev="[^"]*"', "", str(x)) for x in second]
    assert unstamped[0] == unstamped[1]
    assert "character1" in first[-3] and "mira-the-explorer.png" in " ".join(map(str, first))


def test_a_check_that_fails_at_start_is_logged_once_and_the_first_click_does_it(tmp_path, monkeypatch, caplog):
    real, calls = cast_mod.check_media, []

    def fails_at_start(*args, **kwargs):
        calls.append(threading.current_thread().name)
        if threading.current_thread().name == "example-cast":
            raise OSError("disk unplugged")  # the start-up thread's check fails
        return real(*args, **kwargs)

    monkeypatch.setattr(cast_mod, "check_media", fails_at_start)
    with caplog.at_level(logging.WARNING, logger="r2v_ui.examples"):
        examples = ExampleCards(tmp_path / "examples", tmp_path / "checked", finish=cards_mod.with_thumb)
        prepare_in_background(tmp_path / "examples", then=examples.warm).join(120)
    said = [r for r in caplog.records if r.name == "r2v_ui.examples"]
    assert len(said) == 1 and "first click" in said[0].getMessage(), said
    assert calls == ["example-cast"] and not examples.ready()  # it stopped at the first failure
    _, cast = examples.cast(EN)  # the first click does the work, as before
    assert len(cast) == 2 and all(c.example for c in cast) and examples.ready(EN) and not examples.ready()
