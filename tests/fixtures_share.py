"""Helpers for the screening room's tests (r2v_ui/share/): finished jobs put straight into a store (a
real MP4 made here with PyAV, its poster, its sidecar, and the cast's pictures kept by hash), and a
clock the tests move by hand.  Plain helpers: tests import them with `from tests.fixtures_share import …`."""

from __future__ import annotations

import contextlib
import itertools
import time
from fractions import Fraction
from pathlib import Path

from PIL import Image

from r2v_ui.store import JobRecord, JobStore
from r2v_ui.store.library import write_poster, write_sidecar

_CLIPS: dict[tuple[str, float], bytes] = {}


class Clock:
    """A clock the test moves: `clock()` is now, `clock.move(s)` moves it on."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def move(self, seconds: float) -> None:
        self.now += seconds


def clip(color: str = "tomato", seconds: float = 4.0) -> bytes:
    """A small real H.264 MP4 (320×180, 12 fps) of one colour with a moving bar, made once per colour."""
    key = (color, seconds)
    if key not in _CLIPS:
        import tempfile

        import av
        import numpy as np

        tmp = Path(tempfile.mkdtemp(prefix="r2v-clip-")) / "clip.mp4"
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=12)
            stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
            stream.time_base = Fraction(1, 12)
            base = np.array(Image.new("RGB", (320, 180), color))
            for i in range(int(seconds * 12)):
                frame = base.copy()
                x = (i * 7) % 300
                frame[70:110, x:x + 20] = 255
                vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
                vf.pts = i
                container.mux(stream.encode(vf))
            container.mux(stream.encode(None))
        _CLIPS[key] = tmp.read_bytes()
        tmp.unlink()
        tmp.parent.rmdir()
    return _CLIPS[key]


def finished_job(store: JobStore, job_id: str, *, owner: str = "ann", color: str = "tomato",
                 prompt: str = "character1 waves at character2", batch_id: str | None = None,
                 take: int | None = None, cast: tuple[tuple[str, str], ...] = (("Ada", "orange"), ("Bo", "teal")),
                 seconds: float = 4.0) -> JobRecord:
    """A succeeded job as the job manager leaves it: its cast's pictures kept by hash, the video, poster
    and sidecar in the library, then the row."""
    refs = []
    for name, pic_color in cast:
        src = store.work_dir / f"{job_id}-{name}.png"
        Image.new("RGB", (240, 320), pic_color).save(src)
        sha, kept = store.keep_reference(src)
        refs.append({"kind": "image", "name": f"{name.lower()}.png", "character": name, "sha256": sha,
                     "kept": store.relative(kept), "content_type": "image/png"})
    now = time.time()
    rec = JobRecord(job_id=job_id, owner=owner, state="checking", created_at=now, updated_at=now,
                    settings={"prompt": prompt, "written_prompt": prompt, "size": "1280*720", "duration": 5,
                              "seed": 7}, references=refs, batch_id=batch_id, take=take)
    store.create(rec)
    mp4, sidecar, poster = store.result_paths(rec)
    mp4.write_bytes(clip(color, seconds))
    has_poster = write_poster(mp4, poster)
    write_sidecar(sidecar, rec, video=mp4, poster=poster if has_poster else None, seed_used=7, timings={})
    return store.update(job_id, state="succeeded", video_path=store.relative(mp4), seed_used=7,
                        poster_path=store.relative(poster) if has_poster else None)


def delete_database(data_dir: Path) -> None:
    for name in ("jobs.sqlite3", "jobs.sqlite3-wal", "jobs.sqlite3-shm"):
        (Path(data_dir) / name).unlink(missing_ok=True)


_addresses = itertools.count(1)


def viewer_address() -> str:
    """A client address no other viewer in this run has (the studio trusts X-Forwarded-For from loopback,
    as from a proxy on this machine): each test's viewer is counted apart by the per-address caps."""
    n = next(_addresses)
    return f"198.51.{n // 250}.{n % 250 + 1}"


@contextlib.contextmanager
def studio_with_three_takes(data_dir: Path, owner: tuple[str, str], prompt: str):
    """A launched studio under `--auth` with `owner`'s login, holding one finished batch of three takes
    (`take1`…`take3`, tomato, teal and gold) of `prompt`."""
    from tests.fixtures_ui import running_studio

    with running_studio(data_dir, auth=[owner]) as rs:
        for take, color in ((1, "tomato"), (2, "teal"), (3, "gold")):
            finished_job(rs.studio.store, f"take{take}", owner=owner[0], color=color, batch_id="b1", take=take,
                         prompt=prompt)
        yield rs


def three_takes_fixture(tmp_path_factory, name: str, owner: tuple[str, str], prompt: str):
    """The body of a module fixture: `yield from three_takes_fixture(tmp_path_factory, "name", OWNER, PROMPT)`."""
    with studio_with_three_takes(tmp_path_factory.mktemp(name) / "data", owner, prompt) as rs:
        yield rs
