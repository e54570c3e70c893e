"""The emulator's own labels do not lie on one another (emulator/render.py).

A preview frame carries a red PREVIEW label top left and, right of it, a line saying the size,
length, shot type and seed.  On a portrait frame (720×1280, drawn 360×640) that line was longer
than the room right of the label and ran over it.  Two clips that differ only in that line (2 s
and 10 s: the same seed, so the same background and caption) are rendered; where their first
frames differ is where the line is drawn, and none of it lies inside `preview_label_box`.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from r2v_ui.emulator.render import RenderJob, preview_label_box, render_preview

THRESHOLD = 96  # a channel differing by more than this is ink, not the encoder's noise


def first_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            return frame.to_ndarray(format="rgb24").astype(np.int16)
    raise AssertionError(f"no frame in {path}")


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (960, 960)])
def test_the_info_line_never_lies_on_the_preview_label(tmp_path, size):
    frames = []
    for seconds in (2, 10):
        job = RenderJob((), "character1 waves", size[0], size[1], seconds, audio=False, seed=1808341205, long_side=640)
        frames.append(first_frame(render_preview(job, tmp_path / f"{seconds}.mp4")))
    ink = np.abs(frames[0] - frames[1]).max(axis=2) > THRESHOLD
    assert ink.any(), "the two clips' info lines should differ somewhere"
    h, w = ink.shape
    x0, y0, x1, y1 = preview_label_box(w, h)
    on_label = int(ink[y0:y1, x0:x1].sum())
    assert on_label == 0, f"{size}: the info line's ink lies on the PREVIEW label ({on_label} pixels)"
