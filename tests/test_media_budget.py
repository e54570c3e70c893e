"""Decompression bombs: a small file that declares a huge picture is refused or repaired within a
memory budget the whole process shares, measured for real (peak resident memory of a fresh process),
and a PNG probe never decodes pixels.  Pictures are written by the tests (tests/fixtures_pictures.py).

Figures measured on the 2-core test machine (VmHWM above the imported baseline): one 10000×9990 repair
at the default budget +411 MB (it was +762 MB when a repair held two full-size pictures); six of them
at once through the card path (check, then thumbnail) +876 MB under the 1,024 MB budget (it was
+3,141 MB: the thumbnail's copies went uncounted and glibc kept each thread's freed pages)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from r2v_ui import media
from r2v_ui.media import decode_budget, picture_pixels
from r2v_ui.media.decode_budget import DecodeBudget, TooLarge, repair_bytes
from r2v_ui.spec import MB
from tests.fixtures_emulator import wait_until
from tests.fixtures_pictures import exif_with_orientation, solid_png

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(450)

# Runs in a fresh interpreter: probes every picture given, each in its own thread, with the
# process-wide budget (R2V_DECODE_BUDGET_MB), and says how far resident memory rose above where it
# stood once everything was imported.
_CHILD = r"""
import json, sys, threading
from pathlib import Path
from r2v_ui import media
from r2v_ui.media.decode_budget import process_budget

def status_mb(key):  # VmHWM, not getrusage: ru_maxrss keeps the forking parent's size across exec
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

budget = process_budget()
cards_too = sys.argv[1] == "cards"  # the page's path: the card's check, then its thumbnail
work, paths = Path(sys.argv[2]), sys.argv[3:]
if cards_too:
    from r2v_ui.ui import cards
    from r2v_ui.workspace import cast
start = status_mb("VmRSS")
reports = [None] * len(paths)
def run(i):
    if cards_too:
        card = cards.with_thumb(cast.check_media(cast.Card(), paths[i], 1, [], 0, work_dir=work))
        assert card.refused or card.thumb, card
    reports[i] = media.probe(paths[i], "image", work_dir=work)
threads = [threading.Thread(target=run, args=(i,)) for i in range(len(paths))]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"rise_mb": status_mb("VmHWM") - start, "limit": budget.limit, "high_water": budget.high_water,
                  "reports": [[r.verdict, r.message, r.width, r.height] for r in reports]}))
"""


def probe_in_fresh_process(tmp_path: Path, paths: list[Path], budget_mb: int | None, *, cards: bool = False) -> dict:
    """`cards`: each picture is first checked on a card and given its thumbnail, as the page does."""
    env = {k: v for k, v in os.environ.items() if k != decode_budget.ENV_NAME}
    env["PYTHONPATH"] = str(ROOT)
    if budget_mb is not None:
        env[decode_budget.ENV_NAME] = str(budget_mb)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", _CHILD, "cards" if cards else "probe",
                          str(tmp_path / "work"), *map(str, paths)],
                         env=env, capture_output=True, text=True, timeout=400)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """388 KB-ish on disk, 10000×9990 RGBA declared: 400 MB once decoded."""
    path = solid_png(tmp_path_factory.mktemp("bomb") / "poster.png", (10000, 9990))
    assert path.stat().st_size < 1 * MB
    return path


def test_a_tiny_png_declaring_100_megapixels_is_refused_in_words_without_decoding_it(tmp_path, bomb):
    result = probe_in_fresh_process(tmp_path, [bomb], budget_mb=256)

    [[verdict, message, width, height]] = result["reports"]
    assert verdict == "refused" and (width, height) == (10000, 9990)
    assert message.startswith("poster.png is 10000×9990 px, more pixels than the studio can safely open")
    assert "scale it down to at most 8000 px a side" in message  # what to do
    assert result["high_water"] == 0  # nothing was decoded...
    assert result["rise_mb"] < 64, result  # ...which the process's own memory confirms (decoded: 400 MB)


def test_several_megapixels_over_the_limit_are_repaired_within_the_budgeted_peak(tmp_path):
    src = solid_png(tmp_path / "wide.png", (8400, 2000))  # RGBA: flattened and scaled down
    charge = repair_bytes(8400, 2000, 8000, 1905, "PNG")  # 67 MB decoded, a strip's work, the encoder

    result = probe_in_fresh_process(tmp_path, [src], budget_mb=160)

    [[verdict, message, width, height]] = result["reports"]
    assert verdict == "fixed" and (width, height) == (8000, 1905), message
    assert "flattened onto white" in message and "scaled down" in message
    assert result["high_water"] == charge
    assert result["rise_mb"] < charge / MB + 32, result  # the decode and the strips; nothing more


def test_four_repairs_at_once_never_hold_more_than_the_budget_together(tmp_path):
    pictures = [solid_png(tmp_path / f"p{i}.png", (8400, 2000), (40 * i, 90, 200, 100)) for i in range(4)]
    charge = repair_bytes(8400, 2000, 8000, 1905, "PNG")

    result = probe_in_fresh_process(tmp_path, pictures, budget_mb=150)  # room for one repair at a time

    assert [r[0] for r in result["reports"]] == ["fixed"] * 4
    assert result["high_water"] == charge <= result["limit"]
    assert result["rise_mb"] < result["limit"] / MB + 32, result  # not 4 × 130 MB


def test_a_jpeg_is_decoded_at_the_reduced_scale_that_is_enough_and_charged_for_that(tmp_path):
    src = tmp_path / "pano.jpg"
    Image.new("RGB", (16400, 2100), (90, 120, 200)).save(src, quality=80)
    budget = DecodeBudget(128 * MB)  # the whole picture (34 megapixels) would need 138 MB and its strips

    r = media.probe(src, "image", work_dir=tmp_path / "work", budget=budget)

    assert r.verdict == "fixed" and (r.width, r.height) == (8000, 1024), r.message
    assert budget.high_water == repair_bytes(8200, 1050, 8000, 1024, "JPEG")  # libjpeg decoded it at half scale
    assert budget.in_use == 0


def test_concurrent_repairs_in_one_process_share_the_budget_and_give_it_back(tmp_path):
    pictures = [solid_png(tmp_path / f"c{i}.png", (8100, 1100), (10, 20 * i, 30, 60)) for i in range(4)]
    charge = repair_bytes(8100, 1100, 8000, 1086, "PNG")
    budget = DecodeBudget(charge * 3 // 2)
    reports = [None] * 4

    def run(i):
        reports[i] = media.probe(pictures[i], "image", work_dir=tmp_path / "work", budget=budget)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.verdict for r in reports] == ["fixed"] * 4
    assert budget.high_water == charge and budget.in_use == 0 and budget.waiting == 0


def test_a_png_probe_reads_the_rotation_tag_after_the_pixel_data_without_decoding(tmp_path, monkeypatch):
    loads = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda im: loads.append(im.format) or real_load(im))
    upright = solid_png(tmp_path / "upright.png", (600, 400), (1, 2, 3), mode="RGB",
                        exif_after_data=exif_with_orientation(1))

    r = media.probe(upright, "image")

    assert r.verdict == "accepted" and (r.width, r.height) == (600, 400)
    assert loads == []  # header, chunk headers and checksums only

    turned = solid_png(tmp_path / "turned.png", (600, 400), (1, 2, 3), mode="RGB",
                       exif_after_data=exif_with_orientation(6))
    r = media.probe(turned, "image", work_dir=tmp_path / "work")
    assert r.verdict == "fixed" and (r.width, r.height) == (400, 600) and "rotation" in r.message


def test_resizing_in_strips_gives_the_same_picture_as_one_resize(tmp_path):
    rng = np.random.default_rng(7)
    im = Image.fromarray(rng.integers(0, 255, (700, 1000, 3), dtype=np.uint8))
    whole = np.asarray(im.resize((640, 448), Image.Resampling.LANCZOS), dtype=int)
    strips = np.asarray(picture_pixels.resize_in_strips(im.copy(), (640, 448), tmp_path), dtype=int)
    assert np.abs(whole - strips).max() <= 1


@pytest.mark.parametrize("turn", range(1, 9))
def test_a_picture_turned_flattened_and_scaled_in_strips_is_the_same_as_done_whole(tmp_path, monkeypatch, turn):
    monkeypatch.setattr(picture_pixels, "BAND_SOURCE_ROWS", 64)  # many strips, each a band of its own
    rng = np.random.default_rng(turn)
    coarse = rng.integers(0, 255, (9, 7, 4), dtype=np.uint8)
    coarse[..., 3] = np.where(coarse[..., 3] > 60, 255, 0)  # part opaque, part transparent
    # Smooth patches (noise would make the two pass orders clip differently between passes).
    src = Image.fromarray(coarse, "RGBA").resize((700, 900), Image.Resampling.BILINEAR)
    upright = src.transpose(picture_pixels.TRANSPOSE[turn]) if turn > 1 else src.copy()
    target = (round(upright.width * 0.6), round(upright.height * 0.6))
    expected = np.asarray(picture_pixels.flatten_onto_white(upright).resize(target, Image.Resampling.LANCZOS),
                          dtype=int)

    got = picture_pixels.upright_flat_small(src.copy(), turn, True, target, tmp_path)

    assert got.size == target and got.mode == "RGB"
    assert np.abs(np.asarray(got, dtype=int) - expected).max() <= 2  # rounding between the two passes
    assert list(tmp_path.iterdir()) == []  # the strips' file is gone


def test_one_100_megapixel_repair_at_the_default_budget_stays_within_512_mb(tmp_path, bomb):
    result = probe_in_fresh_process(tmp_path, [bomb], budget_mb=None)

    [[verdict, message, width, height]] = result["reports"]
    assert verdict == "fixed" and (width, height) == (8000, 7992), message
    assert result["limit"] == 1024 * MB and result["high_water"] == repair_bytes(10000, 9990, 8000, 7992, "PNG")
    assert result["rise_mb"] < 512, result  # the decoded source (381 MB) and a few strips; not two pictures


def test_six_colour_bombs_at_once_through_the_cards_keep_the_process_within_the_default_budget(tmp_path, bomb):
    """The page's path, six at once: each card checks (repairs) its picture and makes its thumbnail."""
    bombs = [shutil.copy(bomb, tmp_path / f"bomb{i}.png") for i in range(6)]

    result = probe_in_fresh_process(tmp_path, bombs, budget_mb=None, cards=True)

    assert [r[0] for r in result["reports"]] == ["fixed"] * 6
    assert result["high_water"] <= result["limit"] == 1024 * MB
    assert result["rise_mb"] < 1024, result  # the budget, whatever the threads' allocator keeps


def test_a_thumbnail_is_flattened_onto_white_and_charged_for_one_picture_and_a_band(tmp_path):
    src = solid_png(tmp_path / "big.png", (6000, 4000), (10, 200, 30, 90))
    budget = DecodeBudget(512 * MB)
    with Image.open(src) as im:
        with budget.hold(decode_budget.thumbnail_bytes(*im.size, 240)):
            im.load()
            small = picture_pixels.thumbnail(im, (240, 240))
    assert small.size == (240, 160) and small.mode == "RGB"
    r, g, b = small.getpixel((120, 80))
    assert (r, g, b) == pytest.approx((169, 236, 176), abs=2)  # 35% opaque over white, as the card shows it
    assert decode_budget.thumbnail_bytes(6000, 4000, 240) < 2 * decode_budget.decoded_bytes(6000, 4000)


# --- the budget itself ---------------------------------------------------------------------------


def test_a_decode_bigger_than_the_whole_budget_is_refused_at_once():
    budget = DecodeBudget(100)
    with pytest.raises(TooLarge):
        with budget.hold(101):
            pass
    assert budget.in_use == 0 and budget.high_water == 0


def test_a_decode_waits_its_turn_first_come_first_served():
    budget = DecodeBudget(100)
    order: list[str] = []

    def take(name: str, n: int):
        with budget.hold(n):
            order.append(name)

    with budget.hold(60):
        big = threading.Thread(target=take, args=("big", 50))
        big.start()
        wait_until(lambda: budget.waiting == 1)
        small = threading.Thread(target=take, args=("small", 10))  # would fit now, but comes second
        small.start()
        wait_until(lambda: budget.waiting == 2)
        assert budget.in_use == 60 and order == []
    big.join(10)
    small.join(10)
    assert order == ["big", "small"] and budget.in_use == 0 and budget.high_water <= 100


def test_the_process_budget_comes_from_the_environment_and_sets_pillows_limit_to_match(monkeypatch):
    monkeypatch.setattr(decode_budget, "_process", None)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    monkeypatch.setenv(decode_budget.ENV_NAME, "2048")

    budget = decode_budget.process_budget()

    assert budget is decode_budget.process_budget() and budget.limit == 2048 * MB
    assert Image.MAX_IMAGE_PIXELS == budget.max_pixels() == (2048 - 16) * MB // 5

    monkeypatch.setattr(decode_budget, "_process", None)
    monkeypatch.setenv(decode_budget.ENV_NAME, "64")  # small: Pillow still opens what the service accepts
    decode_budget.process_budget()
    assert Image.MAX_IMAGE_PIXELS == 8000 * 8000

    monkeypatch.setattr(decode_budget, "_process", None)
    monkeypatch.setenv(decode_budget.ENV_NAME, "lots")
    with pytest.raises(ValueError, match="R2V_DECODE_BUDGET_MB must be a number of megabytes"):
        decode_budget.process_budget()
