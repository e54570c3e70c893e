"""Benchmarks of the studio (not a test: pytest does not collect this file, nothing is asserted).

    python tests/bench_studio.py [--quick] [--profile]

Prints one table of figures, median and p95 where a case is repeated:

1. emulator render (``render_preview`` called directly): 5 s 1080P with audio from two generated
   pictures, and 5 s 720P — seconds per clip;
2. ``media.probe``: a 24-megapixel JPEG (accepted), a 9000 px PNG (scaled down), a ~95 MB MP4
   (accepted, just under the 100 MiB limit) — milliseconds per probe and the bytes the process
   read through read() meanwhile (``rchar`` from /proc/self/io; page-cache hits included);
3. ``HighwayClient`` against the embedded emulator over loopback: task-result read latency over
   200 reads, submit latency over 20 submits (the submits carry a ``fail_task`` fault so the
   emulator renders nothing while they are timed);
4. one demo job through ``JobManager`` (emulator finish_seconds=0.5, two 720x960 PNGs, 720P, 2 s):
   seconds from ``start()`` to "succeeded" over 3 runs, and when each state was first seen
   (via ``wait_for_change``).

Speed is measured here, never asserted in tests.  Figures depend heavily on the machine; say
where they were taken when quoting them.  ``--profile`` adds a cProfile of one 9000 px PNG probe
and one 1080P render (top functions by cumulative time).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import socket
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import httpx  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from r2v_ui import media  # noqa: E402
from r2v_ui.client import HighwayClient  # noqa: E402
from r2v_ui.config import Settings  # noqa: E402
from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig  # noqa: E402
from r2v_ui.emulator.render import Reference as RenderReference, RenderJob, render_preview  # noqa: E402
from r2v_ui.hosting import make_host  # noqa: E402
from r2v_ui.jobs import JobDraft, JobManager, Reference, Target  # noqa: E402
from r2v_ui.store import JobStore  # noqa: E402

KEY = "bench-key-not-real-0000"
AUTH = {"Authorization": f"Bearer {KEY}"}
PROMPT = "character1 walks towards character2 while the sun sets behind them"

ROWS: list[tuple[str, str, str, str, str]] = []  # case, n, median, p95, note
NOTES: list[str] = []


# --- helpers -------------------------------------------------------------------------------------
def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(0.95 * len(s) + 0.5)) - 1))]


def row(case: str, xs: list[float], unit: str, note: str = "", fmt: str = "{:.2f}") -> None:
    med = fmt.format(statistics.median(xs)) + f" {unit}"
    tail = fmt.format(p95(xs)) + f" {unit}" if len(xs) > 1 else "-"
    ROWS.append((case, str(len(xs)), med, tail, note))
    print(f"  .. {case}: median {med}, p95 {tail} {note}", flush=True)


def rchar() -> int:
    """Bytes this process has passed through read()-like syscalls so far (all threads)."""
    with open("/proc/self/io") as fh:
        for line in fh:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    return 0


def picture(path: Path, w: int, h: int, seed: int, noise: int = 12, **save_kw) -> Path:
    """A photo-like picture: smooth colour waves with some grain (compresses like a real photo).
    Built in uint8 from one row and one column, so a 54-megapixel picture costs little memory."""
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 6, 3)
    cols = (60 + 50 * np.sin(6 * np.linspace(0, 1, w)[:, None] + phase)).astype(np.uint8)  # (w, 3)
    rows = (40 + 40 * np.cos(3 * np.linspace(0, 1, h)[:, None] + phase)).astype(np.uint8)  # (h, 3)
    arr = rows[:, None, :] + cols[None, :, :]  # at most 80 + 110: no overflow
    if noise:
        grain = rng.integers(0, 2 * noise + 1, (h, 1), dtype=np.uint8)  # per-row grain, cheap
        arr += grain[:, :, None]
        arr[::3, ::5] += np.uint8(noise)
    Image.fromarray(arr).save(path, **save_kw)
    return path


def big_mp4(path: Path, target_bytes: int) -> tuple[Path, float]:
    """A real MP4 of `target_bytes` or a little less: lossless intra-only H.264 of noise frames
    (about 4 MB a frame at 1920x1080, 5 fps), stopped near the target but never under 1.2 s."""
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (1080 + 64, 1920 + 64, 3), dtype=np.uint8)
    fps = 5
    t0 = time.perf_counter()
    total = 0
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = 1920, 1080, "yuv420p"
        s.time_base = Fraction(1, fps)
        s.codec_context.options = {"preset": "ultrafast", "qp": "0", "g": "1", "bf": "0"}
        i = 0
        while True:
            dy, dx = (i * 7) % 64, (i * 13) % 64
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(noise[dy:dy + 1080, dx:dx + 1920]), format="rgb24")
            frame.pts = i
            packets = s.encode(frame)
            for p in packets:
                total += p.size
                c.mux(p)
            i += 1
            if total + 5_000_000 > target_bytes and i > fps:  # leave room for the frames still in the encoder
                break
            if i >= 29 * fps:
                break
        for p in s.encode():
            c.mux(p)
    return path, time.perf_counter() - t0


def start_emulator(tmp: Path, name: str) -> EmbeddedEmulator:
    emu = EmbeddedEmulator(EmulatorConfig(api_key=KEY, finish_seconds=0.5, queue_seconds=0.1,
                                          data_dir=tmp / name)).start()
    # Loopback latency hinges on TCP_NODELAY: uvicorn writes a response's headers and body
    # separately, and without it Nagle + delayed ACK add ~40 ms to every response.  asyncio sets
    # it only on accepted sockets whose proto is IPPROTO_TCP, i.e. when the listener was made so.
    sock = emu._socket
    if sock is not None and sock.proto != socket.IPPROTO_TCP and not sock.getsockopt(socket.IPPROTO_TCP,
                                                                                     socket.TCP_NODELAY):
        NOTES.append("the emulator's listening socket has proto 0 and no TCP_NODELAY: expect ~40 ms per "
                     "loopback request (Nagle + delayed ACK)")
    return emu


def upload(base: str, path: Path, content_type: str) -> str:
    r = httpx.post(f"{base}/emulator/uploads", content=path.read_bytes(),
                   headers={**AUTH, "Content-Type": content_type, "X-Filename": path.name}, timeout=30)
    r.raise_for_status()
    return r.json()["url"]


# --- 1. render ------------------------------------------------------------------------------------
def bench_render(tmp: Path, reps: int) -> None:
    print("1. emulator render", flush=True)
    refs = (RenderReference("image", picture(tmp / "r1.jpg", 1200, 1600, 1, quality=90)),
            RenderReference("image", picture(tmp / "r2.png", 1600, 1200, 2)))
    for label, w, h, audio in (("render 1080P 1920*1080 5 s + audio, 2 refs", 1920, 1080, True),
                               ("render 720P 1280*720 5 s + audio, 2 refs", 1280, 720, True)):
        times, size = [], 0
        for k in range(reps):
            job = RenderJob(refs, PROMPT, w, h, 5, audio=audio, watermark=True, seed=k)
            t0 = time.perf_counter()
            out = render_preview(job, tmp / "out.mp4")
            times.append(time.perf_counter() - t0)
            size = out.stat().st_size
        row(label, times, "s", f"per clip, {size / 1e6:.1f} MB out")


# --- 2. media.probe -------------------------------------------------------------------------------
def bench_probe(tmp: Path, reps: int, mp4_bytes: int) -> None:
    print("2. media.probe (generating inputs...)", flush=True)
    t0 = time.perf_counter()
    jpg = picture(tmp / "24mp.jpg", 6000, 4000, 3, noise=6, quality=85)
    png = picture(tmp / "9000px.png", 9000, 6000, 4, noise=0, compress_level=1)
    t_pics = time.perf_counter() - t0
    mp4, t_mp4 = big_mp4(tmp / "big.mp4", mp4_bytes)
    print(f"   inputs: JPEG {jpg.stat().st_size / 1e6:.1f} MB, PNG {png.stat().st_size / 1e6:.1f} MB "
          f"({t_pics:.1f} s for both), MP4 {mp4.stat().st_size / 1e6:.1f} MB ({t_mp4:.1f} s)", flush=True)
    work = tmp / "probe-work"
    cases = (
        ("probe 24 MP JPEG 6000x4000", jpg, reps, "accepted"),
        ("probe 9000x6000 PNG (scaled down)", png, max(1, reps // 2), "fixed"),
        ("probe MP4", mp4, reps * 2, "accepted"),
    )
    for label, path, n, expected in cases:
        times, read = [], []
        verdict = ""
        for _ in range(n):
            r0 = rchar()
            t0 = time.perf_counter()
            rep = media.probe(path, work_dir=work)
            times.append((time.perf_counter() - t0) * 1000)
            read.append(rchar() - r0)
            verdict = rep.verdict
        size = path.stat().st_size
        note = (f"{verdict} (want {expected}); file {size / 1e6:.1f} MB, read {statistics.median(read) / 1e6:.2f} MB"
                f" per probe")
        if verdict != expected:
            note += f" -- {rep.message}"
        row(f"{label} ({size / 1e6:.0f} MB)", times, "ms", note, fmt="{:.0f}")


# --- 3. client over loopback ----------------------------------------------------------------------
async def _client_bench(emu: EmbeddedEmulator, tmp: Path, reads: int, submits: int) -> None:
    base = emu.base_url
    url = upload(base, picture(tmp / "c1.png", 720, 960, 5), "image/png")
    body = {"prompt": "character1 waves", "media": [{"url": url, "type": "reference_image"}],
            "size": "1280*720", "duration": 2, "audio": False}
    async with HighwayClient(base, KEY) as client:
        # A finished task with a signed result link: the read most polls end with.
        task_id = await client.submit(body)
        for _ in range(600):
            info = await client.get_task(task_id)
            if info.terminal:
                break
            await asyncio.sleep(0.1)
        status = info.status
        for _ in range(5):  # warm-up (connection pool, first-call imports)
            await client.get_task(task_id)
        times = []
        for _ in range(reads):
            t0 = time.perf_counter()
            await client.get_task(task_id)
            times.append((time.perf_counter() - t0) * 1000)
        row("client get_task over loopback", times, "ms", f"task {status}", fmt="{:.1f}")

        r = httpx.post(f"{base}/emulator/faults", headers=AUTH,
                       json={"seed": 1, "rules": [{"route": "submit", "kind": "fail_task", "times": submits}]})
        r.raise_for_status()
        times = []
        for _ in range(submits):
            t0 = time.perf_counter()
            await client.submit(body)
            times.append((time.perf_counter() - t0) * 1000)
        row("client submit over loopback", times, "ms", "fail_task fault: no render", fmt="{:.1f}")


def bench_client(tmp: Path, reads: int, submits: int) -> None:
    print("3. client against the emulator over loopback", flush=True)
    with start_emulator(tmp, "emu-client") as emu:
        asyncio.run(_client_bench(emu, tmp, reads, submits))


# --- 4. end to end through JobManager -------------------------------------------------------------
async def _follow(manager: JobManager, job_id: str, t_start: float, timeout: float = 90.0) -> dict[str, float]:
    first: dict[str, float] = {}
    snap = manager.snapshot(job_id)
    version = -1
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if snap is not None:
            first.setdefault(snap.state, time.perf_counter() - t_start)
            if snap.terminal or snap.state == "uncertain":
                if snap.state != "succeeded":
                    first["error: " + str(snap.error)] = 0.0
                return first
            version = snap.version
        snap = await manager.wait_for_change(job_id, version, timeout=5.0)
    first["timeout"] = time.perf_counter() - t_start
    return first


def bench_e2e(tmp: Path, runs: int) -> None:
    print("4. end-to-end demo job through JobManager", flush=True)
    order = ("checking", "uploading", "submitting", "queued", "processing", "downloading", "succeeded")
    totals: list[float] = []
    per_state: dict[str, list[float]] = {s: [] for s in order}
    others: list[str] = []
    with start_emulator(tmp, "emu-e2e") as emu:
        settings = Settings(data_dir=tmp / "studio-data")

        def host_factory(_target: str):
            return make_host(settings.with_overrides(hosting="emulator"), emulator_url=emu.base_url, emulator_key=KEY)

        manager = JobManager(settings, JobStore(settings.data_dir), demo_target=Target("demo", emu.base_url),
                             demo_key=KEY, host_factory=host_factory)
        try:
            for k in range(runs):
                # New pictures every run, so the content-hash cache does not skip the uploads.
                refs = tuple(
                    Reference(kind="image", path=picture(tmp / f"e2e{k}_{i}.png", 720, 960, 100 + 10 * k + i),
                                   name=f"ref{i}.png")
                    for i in (1, 2))
                draft = JobDraft(references=refs, prompt=PROMPT, size="1280*720", duration=2, audio=True)
                t0 = time.perf_counter()
                job_id = manager.start(draft)
                first = asyncio.run(_follow(manager, job_id, t0))
                for state, t in first.items():
                    if state in per_state:
                        per_state[state].append(t)
                    elif state not in others:
                        others.append(state)
                if "succeeded" in first:
                    totals.append(first["succeeded"])
                seen = ", ".join(f"{s} {t:.2f}" for s, t in first.items())
                print(f"   run {k + 1}: {seen}", flush=True)
        finally:
            manager.close()
    if totals:
        row("e2e demo job start() -> succeeded (720P 2 s)", totals, "s",
            f"{len(totals)}/{runs} succeeded")
    for state in order[1:-1]:
        if per_state[state]:
            row(f"  e2e: '{state}' first seen after start()", per_state[state], "s",
                f"seen in {len(per_state[state])}/{runs} runs")
    for o in others:
        ROWS.append((f"  e2e: {o}", "", "", "", ""))


# --- optional profiles ----------------------------------------------------------------------------
def profile(tmp: Path) -> None:
    png = tmp / "9000px.png"
    if not png.exists():
        picture(png, 9000, 6000, 4, noise=0, compress_level=1)
    targets = [("media.probe(9000x6000 PNG)", lambda: media.probe(png, work_dir=tmp / "prof"))]
    refs = (RenderReference("image", picture(tmp / "p1.jpg", 1200, 1600, 1, quality=90)),
            RenderReference("image", picture(tmp / "p2.png", 1600, 1200, 2)))
    targets.append(("render_preview(1080P 5 s + audio)",
                    lambda: render_preview(RenderJob(refs, PROMPT, 1920, 1080, 5, audio=True), tmp / "prof.mp4")))
    for label, fn in targets:
        prof = cProfile.Profile()
        prof.enable()
        fn()
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(14)
        print(f"\n--- cProfile: {label} ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller MP4 (about 30 MB)")
    parser.add_argument("--profile", action="store_true", help="also print cProfile of the slow cases")
    parser.add_argument("--only", default="1234", help="which sections to run, e.g. 13")
    args = parser.parse_args()
    quick = args.quick
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="r2v-bench-") as d:
        tmp = Path(d)
        if "1" in args.only:
            bench_render(tmp, 1 if quick else 3)
        if "2" in args.only:
            bench_probe(tmp, 2 if quick else 5, 30 * 1000 * 1000 if quick else 95 * 1000 * 1000)
        if "3" in args.only:
            bench_client(tmp, 50 if quick else 200, 5 if quick else 20)
        if "4" in args.only:
            bench_e2e(tmp, 1 if quick else 3)
        if args.profile:
            profile(tmp)
    wall = time.perf_counter() - t_all
    load = os.getloadavg()
    print()
    print(f"r2v studio benchmarks  ({'quick' if quick else 'full'} run, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} at the end, {wall:.0f} s in all)")
    widths = [max(len(r[i]) for r in ROWS + [("case", "n", "median", "p95", "note")]) for i in range(5)]
    header = ("case", "n", "median", "p95", "note")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in ROWS:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for n in NOTES:
        print(f"NOTE: {n}")


if __name__ == "__main__":
    main()
