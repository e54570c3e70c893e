"""A video's shape for its player's box (workspace/compare.py `frame`, `tallest`): Compare sizes a row of
players from the tallest, and a take's box from its own (ui/comparepanel.py, ui/takes.py)."""

from __future__ import annotations

from types import SimpleNamespace

from r2v_ui.workspace import compare


def snap(size):
    return SimpleNamespace(settings={} if size is None else {"size": size})


def test_a_videos_frame_is_its_size_and_16_9_when_unknown():
    assert compare.frame(snap("720*1280")) == (720, 1280)
    assert compare.frame(snap("1920*1080")) == (1920, 1080)
    for odd in (None, "", "big", "0*0", "-5*3", "1*2*3"):
        assert compare.frame(snap(odd)) == (16, 9), odd


def test_a_row_of_players_takes_its_tallest_shape():
    assert compare.tallest([(1280, 720), (720, 1280), (960, 960)]) == (720, 1280)
    assert compare.tallest([(1280, 720), (960, 960)]) == (960, 960)
    assert compare.tallest([]) == (16, 9)
