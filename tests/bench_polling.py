"""Benchmark of the job core's polling (not a test: pytest does not collect this file, nothing is
asserted).  Real time, against the embedded emulator over loopback.

    python tests/bench_polling.py [--quick]

Prints:
1. for a 60 s and a 180 s task (emulator finish_seconds, run side by side, one emulator each):
   the task-result reads the job cost, and the lag from the service's completion time
   (`complete_time_ms`) to the video being in the library (`downloaded_at`);
2. ten 5 s demo jobs started together against one alone (median of 3 rounds): seconds from
   start() to "succeeded"
   (the embedded emulator is not budgeted, so ten should take about as long as one).

`--quick` uses 20 s and 40 s tasks instead of 60 s and 180 s.  Figures depend on the machine.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from PIL import Image  # noqa: E402

from r2v_ui.config import Settings  # noqa: E402
from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig  # noqa: E402
from r2v_ui.hosting import make_host  # noqa: E402
from r2v_ui.jobs import JobDraft, JobManager, Reference, Target  # noqa: E402
from r2v_ui.store import JobStore  # noqa: E402

KEY = "bench-key-not-real-0000"
AUTH = {"Authorization": f"Bearer {KEY}"}


def _manager(data: Path, emulator: EmbeddedEmulator) -> JobManager:
    settings = Settings(data_dir=data)  # the default read budget (it does not apply to the emulator)

    def host_factory(_target: str):
        return make_host(settings.with_overrides(hosting="emulator"), emulator_url=emulator.base_url, emulator_key=KEY)

    return JobManager(settings, JobStore(data), demo_target=Target("demo", emulator.base_url), demo_key=KEY,
                      host_factory=host_factory)


def _draft(folder: Path, seconds: int = 2) -> JobDraft:
    folder.mkdir(parents=True, exist_ok=True)
    refs = []
    for name, colour in (("ada.png", "tomato"), ("bo.png", "royalblue")):
        Image.new("RGB", (480, 640), colour).save(folder / name)
        refs.append(Reference(kind="image", path=folder / name, name=name))
    return JobDraft(references=tuple(refs), prompt="character1 greets character2 in a garden", size="1280*720",
                    duration=seconds)


def _finish(manager: JobManager, job_id: str, timeout: float) -> float:
    """Seconds until the job succeeded (read through wait_for_change, as the page does)."""
    import asyncio

    async def follow() -> None:
        version, deadline = -1, time.monotonic() + timeout
        while time.monotonic() < deadline:
            snap = await manager.wait_for_change(job_id, version, timeout=5)
            version = snap.version
            if snap.terminal:
                if snap.state != "succeeded":
                    raise RuntimeError(f"{job_id}: {snap.state}: {snap.error}")
                return
        raise RuntimeError(f"{job_id} did not finish in {timeout} s")

    t0 = time.monotonic()
    asyncio.run(follow())
    return time.monotonic() - t0


def one_long_task(seconds: float, work: Path) -> tuple[float, int, float]:
    """(task seconds, reads, lag seconds) for one task of `seconds`."""
    emulator = EmbeddedEmulator(EmulatorConfig(api_key=KEY, finish_seconds=seconds, queue_seconds=1.0)).start()
    manager = _manager(work / "data", emulator)
    try:
        job_id = manager.start(_draft(work / "refs"))
        _finish(manager, job_id, timeout=seconds + 120)
        snap = manager.snapshot(job_id)
        reads = httpx.get(f"{emulator.base_url}/emulator/stats", headers=AUTH).json()["reads"]
        lag = snap.timings["downloaded_at"] - snap.timings["complete_time_ms"] / 1000.0
        return seconds, reads, lag
    finally:
        manager.close()
        emulator.stop()


def demo_jobs_together(n: int, work: Path) -> float:
    emulator = EmbeddedEmulator(EmulatorConfig(api_key=KEY, finish_seconds=5.0, queue_seconds=0.5)).start()
    manager = _manager(work / "data", emulator)
    try:
        drafts = [_draft(work / f"refs{i}") for i in range(n)]
        t0 = time.monotonic()
        jobs = [manager.start(d) for d in drafts]
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            list(pool.map(lambda j: _finish(manager, j, timeout=300), jobs))
        return time.monotonic() - t0
    finally:
        manager.close()
        emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 s and 40 s tasks instead of 60 s and 180 s")
    args = parser.parse_args()
    lengths = (20.0, 40.0) if args.quick else (60.0, 180.0)
    with tempfile.TemporaryDirectory(prefix="r2v-bench-polling-") as tmp:
        work = Path(tmp)
        with concurrent.futures.ThreadPoolExecutor(len(lengths)) as pool:
            results = list(pool.map(lambda s: one_long_task(s, work / f"task{s:.0f}"), lengths))
        print("task    reads   lag (complete → in the library)")
        for seconds, reads, lag in results:
            print(f"{seconds:4.0f} s  {reads:5d}   {lag:5.2f} s")
        rounds = [(demo_jobs_together(1, work / f"one{r}"), demo_jobs_together(10, work / f"ten{r}")) for r in range(3)]
        one = statistics.median(o for o, _ in rounds)
        ten = statistics.median(t for _, t in rounds)
        print(f"demo jobs of 5 s (median of 3): one alone {one:.1f} s; ten together {ten:.1f} s ({ten / one:.2f}x)")


if __name__ == "__main__":
    main()
