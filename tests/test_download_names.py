"""Downloads carry a name a person can file (r2v_ui/workspace/filenames.py): the cast's names or the
prompt's first words, the take and the seed; safe on every OS, Chinese names kept; and the page's
served copy of a video carries that name inside its keyed folder, and goes with a delete."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from r2v_ui.ui.viewfiles import Viewer
from r2v_ui.workspace.filenames import MAX_BYTES, for_snapshot, video_name

WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


@pytest.mark.parametrize("names, prompt, take, seed, expected", [
    (["Mira", "Bolt"], "Mira and Bolt walk into a glowing forest", 2, 417409556,
     "mira-bolt-walk-glowing-forest_take2_seed417409556.mp4"),
    ([], "character1 waves in the rain", None, 7, "waves-rain_seed7.mp4"),
    (["小美"], "小美在雨中挥手", 1, 3, "小美-小美在雨中挥手_take1_seed3.mp4"),
    ([], "", None, None, "video.mp4"),
    ([], "con", None, None, "con_.mp4"),  # a Windows device name is never the whole name
    ([], "NUL", 3, None, "nul_take3.mp4"),
    (["../../etc/passwd"], "a:b*c?d<e>f|g\"h", None, 1, "etc-passwd-b-c-d_seed1.mp4"),
    (["Émile"], "Ｆｕｌｌｗｉｄｔｈ ABC", None, None, "émile-fullwidth-abc.mp4"),
])
def test_a_download_name_says_who_what_which_take_and_seed(names, prompt, take, seed, expected):
    assert video_name(names, prompt, take, seed) == expected


@pytest.mark.parametrize("names, prompt", [
    (["x" * 400], ""),
    (["龙" * 200], "长" * 300),
    ([], " ".join(["wonderful"] * 100)),
    (["..."], ". . ."),
    (["\x00\x1f\u202e"], "\t\n"),
])
def test_every_name_is_safe_on_every_os_and_short_enough(names, prompt):
    name = video_name(names, prompt, 4, 2**31 - 1)
    stem = name.rsplit(".", 1)[0]
    assert len(name.encode("utf-8")) <= MAX_BYTES, name
    assert not WINDOWS_FORBIDDEN.search(name), name
    assert not name.startswith((".", " ")) and not stem.endswith((".", " ")), name
    assert stem.split(".")[0].upper() not in RESERVED
    assert name.endswith("_take4_seed2147483647.mp4"), name
    name.encode("utf-8").decode("utf-8")  # never cut inside a character


def test_a_jobs_name_comes_from_its_cards_and_its_prompt_as_written():
    snap = SimpleNamespace(references=[{"name": "mira.png", "character": "Mira"}, {"name": "b.png", "character": "Bolt"}],
                           settings={"prompt": "character1 and character2 in a glowing forest",
                                     "written_prompt": "@Mira and @Bolt in a glowing forest", "seed": None},
                           take=2, seed_used=417409556)
    assert for_snapshot(snap) == "mira-bolt-glowing-forest_take2_seed417409556.mp4"
    nameless = SimpleNamespace(references=[{"name": "a.png"}], settings={"prompt": "character1 dances", "seed": 5},
                               take=None, seed_used=None)
    assert for_snapshot(nameless) == "dances_seed5.mp4"  # the seed asked for, when none was reported


def test_the_served_copy_carries_the_name_in_its_keyed_folder_and_every_copy_goes_with_a_delete(tmp_path: Path):
    viewer = Viewer(tmp_path / "view")
    video = tmp_path / "library" / "20261207-061023_20261207-50f88f2e.mp4"
    video.parent.mkdir()
    video.write_bytes(b"\x00" * 64)
    friendly = viewer.show(video, "mira-bolt_take2_seed9.mp4")
    plain = viewer.show(video)
    assert Path(friendly).name == "mira-bolt_take2_seed9.mp4" and Path(plain).name == video.name
    assert Path(friendly).parent == Path(plain).parent  # one unguessable folder per file, whatever its name
    assert len(Path(friendly).parent.name) == 40 and Path(friendly).parent.name not in str(video)
    assert viewer.show(video, "../escape.mp4") == plain  # a name is one path part or nothing
    copies = viewer.served_copies(video)
    assert {p.name for p in copies} >= {"mira-bolt_take2_seed9.mp4", video.name}
    viewer.remove(copies)
    assert not Path(friendly).exists() and not Path(plain).exists()
    viewer.close()
