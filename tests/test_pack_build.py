"""The hand-over pack (workspace/pack.py) built from real jobs on the emulator: the ZIP's entries are
safe names, its MP4s decode with PyAV, the contact sheet has one row per take, each preview is an
animated picture under 2 MB, the recipe says the body as sent, and notes.txt is there only with notes."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from r2v_ui.share.model import Expiry
from r2v_ui.share.service import ShareService
from r2v_ui.workspace import filenames, pack, recipe
from tests.fixtures_jobs import two_picture_draft, wait_for_state


@dataclass(frozen=True)
class _Feedback:
    picks: tuple = ()
    notes: tuple = ()


def _takes(manager, tmp_path, n=3, **kw):
    draft = replace(two_picture_draft(tmp_path, "@Mira greets character2 in a garden", **kw), seed=41)
    refs = list(draft.references)
    refs[0] = replace(refs[0], character="Mira")
    draft = replace(draft, references=tuple(refs), written_prompt="@Mira greets character2 in a garden",
                    prompt="character1 greets character2 in a garden")
    ids = manager.start_takes(draft, n)
    for job_id in ids:
        wait_for_state(manager, job_id, {"succeeded"})
    return [manager.snapshot(j) for j in ids]


def test_pack_of_three_takes(manager, tmp_path):
    snaps = _takes(manager, tmp_path)
    # the studio's own share service: a link to the three takes, a viewer picks take 2 and notes at 0:02
    shares = ShareService(manager.store)
    link = shares.create("", [s.job_id for s in snaps], Expiry.WEEK, None, True)
    assert shares.open(link.token, None, "127.0.0.1") is not None
    shares.set_pick(link.token, snaps[1].job_id, "viewer-1", "Ann")
    shares.add_note(link.token, snaps[1].job_id, "viewer-1", "Ann", "arm bends\nwrong <b>", 2.0, client="127.0.0.1")
    built = pack.build_pack(snaps, tmp_path / "packs", feedback=lambda j: shares.feedback_for_job("", j), lang="en")
    assert built.name == "mira-greets-garden_3takes_pack.zip"
    with zipfile.ZipFile(built.path) as zf:
        names = zf.namelist()
        assert all(pack.safe_entry(n) for n in names) and len(set(names)) == len(names)
        top = built.name[:-4] + "/"
        assert all(n.startswith(top) for n in names)
        videos = sorted(n for n in names if n.endswith(".mp4"))
        assert videos == sorted(top + filenames.for_snapshot(s) for s in snaps)
        for s in snaps:
            stem = top + filenames.for_snapshot(s)[:-4]
            # the MP4 plays: PyAV decodes its frames
            with zf.open(stem + ".mp4") as f, av.open(f) as c:
                frames = sum(1 for _ in c.decode(video=0))
            assert frames > 1
            assert zf.getinfo(stem + ".mp4").file_size == Path(s.video_path).stat().st_size
            with zf.open(stem + ".preview.webp") as f:
                data = f.read()
            assert 0 < len(data) <= pack.PREVIEW_MAX_BYTES
            im = Image.open(__import__("io").BytesIO(data))
            assert im.is_animated and im.n_frames > 1
            doc = json.loads(zf.read(stem + ".recipe.json"))
            assert doc["schema"] == recipe.SCHEMA and doc["version"] == recipe.VERSION
            assert doc["take"] == s.take and doc["seed"] == s.seed_used
            assert doc["prompt_as_written"] == "@Mira greets character2 in a garden"
            assert doc["prompt_as_sent"] == "character1 greets character2 in a garden"
            assert [c["name"] for c in doc["cast"]] == ["Mira", ""]
            assert [c["role"] for c in doc["cast"]] == ["picture", "picture"]
            kept = [r["sha256"] for r in s.references]
            assert [c["sha256"] for c in doc["cast"]] == kept and all(len(k) == 64 for k in kept)
            body = doc["request_body"]
            assert body["prompt"] == "character1 greets character2 in a garden" and body["seed"] == s.seed_used
            assert [m["type"] for m in body["media"]] == ["reference_image", "reference_image"]
            assert all(m["url"].startswith("http://127.0.0.1") for m in body["media"])
        sheet = Image.open(__import__("io").BytesIO(zf.read(top + "contact-sheet.png")))
        notes_txt = zf.read(top + "notes.txt").decode("utf-8")
    # one row per take: the height is exactly three rows, and each row has frames where the label ends
    assert sheet.height == pack.sheet_height(3)
    px = np.asarray(sheet.convert("RGB")).astype(int)
    x = pack.SHEET_MARGIN + pack.SHEET_LABEL_WIDTH + pack.SHEET_GAP + 20
    for i in range(3):
        top_px = pack.sheet_row_top(i)
        row = px[top_px:top_px + pack.SHEET_FRAME_HEIGHT, x:]
        assert np.abs(row - np.array(pack.SHEET_BACKGROUND)).sum(axis=2).mean() > 20  # pictures, not ground
        gap = px[top_px + pack.SHEET_FRAME_HEIGHT + 2, x:]
        if i < 2:
            assert (np.abs(gap - np.array(pack.SHEET_BACKGROUND)).sum(axis=1) == 0).all()  # rows apart
        label = px[top_px + 8:top_px + 40, pack.SHEET_MARGIN:pack.SHEET_MARGIN + 120]
        assert (label.sum(axis=2) > 600).any()  # the take number drawn in light text
    assert "Take 2" in notes_txt and "Picked by 1 viewer." in notes_txt
    assert "0:02 — Ann: arm bends wrong <b>" in notes_txt


def test_no_notes_no_notes_file_and_the_same_pack_again(manager, tmp_path):
    snaps = _takes(manager, tmp_path, n=1)
    one = pack.build_pack(snaps, tmp_path / "packs", feedback=lambda j: _Feedback(), lang="zh-CN")
    with zipfile.ZipFile(one.path) as zf:
        assert not any(n.endswith("notes.txt") for n in zf.namelist())
        assert sum(n.endswith(".recipe.json") for n in zf.namelist()) == 1
        sheet = Image.open(__import__("io").BytesIO(zf.read(next(n for n in zf.namelist() if n.endswith(".png")))))
    assert sheet.height == pack.sheet_height(1)
    assert one.name == filenames.for_snapshot(snaps[0], ext="") + "_pack.zip"
    again = pack.build_pack(snaps, tmp_path / "packs", lang="zh-CN")
    assert again.path == one.path and again.entries == one.entries


def test_a_job_without_video_is_refused_in_words(manager, tmp_path):
    from r2v_ui.messages import render_msg

    with pytest.raises(pack.PackError) as caught:
        pack.build_pack([], tmp_path / "packs")
    assert "no finished video" in render_msg(caught.value.msg)


@pytest.mark.parametrize("name,ok", [
    ("a/b.mp4", True), ("../a.mp4", False), ("/a.mp4", False), ("a/../b", False), ("a\\b", False),
    ("C:x", False), ("a//b", False), ("a/\x00b", False), ("", False), ("a/./b", False), ("米拉_take1.mp4", True)])
def test_safe_entry(name, ok):
    assert pack.safe_entry(name) is ok


def test_preview_shrinks_until_it_fits(manager, tmp_path):
    snaps = _takes(manager, tmp_path, n=1)
    data, ext = pack.preview(Path(snaps[0].video_path), max_bytes=6000)
    assert len(data) <= 6000
    im = Image.open(__import__("io").BytesIO(data))
    assert im.n_frames > 1
