"""The fault tour (not a test: pytest does not collect this file, nothing is asserted).

    python tests/bench_fault_tour.py

Runs every fault of the hostile run through the whole studio — Gradio's page API (gradio_client:
/generate, the /watch_job stream, /retry, the uncertain-job decisions), the JobManager and the
client — against the embedded emulator's seeded fault plan, over loopback, with the studio's real
timings.  Prints one row per fault: what happened to the job, how many tasks the emulator created
(billed), and what the page said while it lasted.  The closing line counts paid jobs lost, double
submits and silent stalls (a fault that held a job up while the page said nothing about it).
"""

from __future__ import annotations

import errno
import html
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gradio_client  # noqa: E402
import httpx  # noqa: E402

from r2v_ui import client as client_mod  # noqa: E402
from tests.fixtures_ui import running_studio  # noqa: E402

FORM = dict(negative="", tier="720P", aspect="16:9", duration=2, shot="single", audio=False, watermark=False,
            seed_mode="random", seed=None)
WATCH_LIMIT_S = 150.0


@dataclass
class Fault:
    name: str
    rules: list[dict]
    expect: str  # "succeeded" | "failed" | "uncertain" | "waiting"
    stalls: bool = True  # holds the job up for a while: the page must say why
    after: Callable[["Tour", str], str] | None = None  # a user's next step (retry, decide); returns the outcome
    setup: Callable[["Tour"], Callable[[], None]] | None = None  # in-process fault (disk); returns its undo


@dataclass
class Row:
    fault: str
    outcome: str
    submits: int
    said: list[str] = field(default_factory=list)
    silent: bool = False
    lost: bool = False


class Tour:
    def __init__(self, studio, downloads: Path):
        self.studio = studio
        self.downloads = downloads
        self.emulator = studio.studio.emulator.base_url
        self.manager = studio.studio.manager
        self.mounted = False  # the data folder is a tmpfs of its own (can_mount)

    def faults(self, rules: list[dict]) -> None:
        httpx.post(f"{self.emulator}/emulator/faults", json={"seed": 7, "rules": rules}).raise_for_status()

    def submits(self) -> int:
        return httpx.get(f"{self.emulator}/emulator/stats").json()["submits"]

    def session(self):
        return gradio_client.Client(self.studio.url, verbose=False, download_files=str(self.downloads))

    def watch(self, client, until: Callable[[str], bool] | None = None) -> tuple[str, list[str]]:
        """Follow this session's job through the page's own stream; returns (last state, texts seen)."""
        said: list[str] = []
        state = "?"
        deadline = time.monotonic() + WATCH_LIMIT_S
        job = client.submit(api_name="/watch_job")
        while time.monotonic() < deadline:
            outs = job.outputs()
            for out in outs:
                status_html = out[0] if isinstance(out, (list, tuple)) else str(out)
                m = re.search(r'data-state="([a-z]+)"', status_html)
                state = m.group(1) if m else state
                for text in re.findall(r'<div class="job-(?:notice|error)"[^>]*>(.*?)</div>', status_html):
                    text = html.unescape(text)
                    if text not in said:
                        said.append(text)
            if state in ("succeeded", "failed", "uncertain", "discarded") and job.done():
                break
            if until is not None and until(state) and said:
                break
            if job.done():  # the stream ended (it wakes every few seconds); follow again
                job = client.submit(api_name="/watch_job")
            time.sleep(0.25)
        job.cancel()
        return state, said


def retry_after_clearing(tour: Tour, job_id: str) -> str:
    tour.faults([])
    client = tour.session()
    client.predict(job_id, api_name="/job_detail")
    tour.manager.retry(job_id)  # what History's "Try again" calls for this user
    deadline = time.monotonic() + WATCH_LIMIT_S
    while time.monotonic() < deadline:
        snap = tour.manager.snapshot(job_id)
        if snap.state in ("succeeded", "failed"):
            return f"{snap.state} after Try again (same job)"
        time.sleep(0.2)
    return "stuck after Try again"


def discard(tour: Tour, job_id: str) -> str:
    tour.manager.resolve_uncertain(job_id, "discard")
    return "uncertain → user discarded"


def delete_video_by_hand(tour: Tour, job_id: str) -> str:
    snap = tour.manager.snapshot(job_id)
    snap.video_path.unlink()
    said = str(tour.manager.snapshot(job_id).stage_text)
    return retry_after_clearing(tour, job_id) + f" (page said: {said[:60]}…)"


def full_disk(tour: "Tour") -> Callable[[], None]:
    real = client_mod._flush_and_sync
    state = {"calls": 0}

    def sync(fh):
        state["calls"] += 1
        if state["calls"] <= 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fh)

    client_mod._flush_and_sync = sync
    return lambda: setattr(client_mod, "_flush_and_sync", real)


READ_ONLY_S = 20.0  # how long the data folder stays unwritable, as in the hostile run


def can_mount() -> bool:
    """Whether this machine lets the tour mount a tmpfs (root with CAP_SYS_ADMIN): then the data folder
    is a real file system the tour can remount read-only; otherwise it is replaced by a file (which
    stops root too: every open and write in it fails, reads included)."""
    probe = Path(tempfile.mkdtemp(prefix="r2v-fault-tour-mnt-"))
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", str(probe)], capture_output=True)
    probe.rmdir()
    return ok


def unusable_folder(data: Path, mounted: bool) -> tuple[Callable[[], None], Callable[[], None]]:
    """(break, mend) for the data folder: remounted read-only, or moved away with a file in its place."""
    if mounted:
        def remount(mode: str) -> None:
            for _ in range(50):  # "busy" while SQLite has a file open for writing: try again shortly
                if subprocess.run(["mount", "-o", f"remount,{mode}", str(data)], capture_output=True).returncode == 0:
                    return
                time.sleep(0.1)
            raise RuntimeError(f"could not remount {data} {mode}")
        return (lambda: remount("ro")), (lambda: remount("rw"))
    away = data.with_name(data.name + ".away")

    def swap_out() -> None:
        data.rename(away)
        data.write_bytes(b"not a folder")

    def swap_in() -> None:
        data.unlink()
        away.rename(data)
    return swap_out, swap_in


def read_only_folder(tour: "Tour") -> Callable[[], None]:
    """While the next job is followed ("Queued" on the page, its first read held by the fault plan),
    its data folder cannot be written for READ_ONLY_S.  The fault starts once the service has made
    the video: in demo mode the embedded service keeps its files in the same folder, and the tour
    tests the studio, not a service whose own disk fails."""
    def made() -> int:
        return httpx.get(f"{tour.emulator}/emulator/stats").json()["tasks"]["TASK_STATUS_SUCCEED"]

    before = made()
    breaks, mends = unusable_folder(tour.studio.data_dir, tour.mounted)

    def fault() -> None:
        deadline = time.monotonic() + WATCH_LIMIT_S
        while time.monotonic() < deadline and made() <= before:
            time.sleep(0.1)
        breaks()
        time.sleep(READ_ONLY_S)  # the fault's duration, not a wait for a result
        mends()

    thread = threading.Thread(target=fault, daemon=True)
    thread.start()
    return lambda: thread.join(timeout=WATCH_LIMIT_S)


FAULTS = [
    Fault("result link 403 twice", [{"route": "download", "kind": "403", "times": 2}], "succeeded"),
    Fault("result link 404 every time, then Try again", [{"route": "download", "kind": "404", "times": 1000}],
          "failed", after=retry_after_clearing),
    Fault("result link 400 once", [{"route": "download", "kind": "400", "times": 1}], "succeeded"),
    Fault("TASK_NOT_FOUND 3 reads after submit", [{"route": "read", "kind": "404", "times": 3}], "succeeded"),
    Fault("TASK_NOT_FOUND for good, then Try again", [{"route": "read", "kind": "404", "times": 1000}], "failed",
          after=retry_after_clearing),
    Fault("401 on one read", [{"route": "read", "kind": "401", "times": 1}], "succeeded"),
    Fault("503 on reads for ~30 s", [{"route": "read", "kind": "503", "times": 5}], "succeeded"),
    Fault("503 HTML proxy pages x3", [{"route": "read", "kind": "503", "html": True, "times": 3}], "succeeded"),
    Fault("429 Retry-After 20 s", [{"route": "read", "kind": "429", "retry_after": 20, "times": 1}], "succeeded"),
    Fault("Retry-After 3600", [{"route": "read", "kind": "503", "retry_after": 3600, "times": 1}], "waiting"),
    Fault("read slower than 10 s", [{"route": "read", "kind": "slow", "delay": 14, "times": 1}], "succeeded"),
    Fault("dropped connection on reads x2", [{"route": "read", "kind": "drop", "times": 2}], "succeeded"),
    Fault("500 on submit", [{"route": "submit", "kind": "500", "times": 1}], "failed", stalls=False),
    Fault("429 on submit x2", [{"route": "submit", "kind": "429", "retry_after": 2, "times": 2}], "succeeded"),
    Fault("submit dropped after the task was made", [{"route": "submit", "kind": "drop", "after_create": True}],
          "uncertain", stalls=False, after=discard),
    Fault("task fails at the service", [{"route": "submit", "kind": "fail_task"}], "failed", stalls=False),
    Fault("disk full while saving the video", [], "succeeded", setup=full_disk),
    Fault(f"data folder unwritable for {READ_ONLY_S:.0f} s while followed",
          [{"route": "read", "kind": "slow", "delay": 4, "times": 1}], "succeeded", setup=read_only_folder),
    Fault("video deleted by hand, then Try again", [], "succeeded", stalls=False, after=delete_video_by_hand),
]


def run(tour: Tour, fault: Fault) -> Row:
    undo = fault.setup(tour) if fault.setup else None
    tour.faults(fault.rules)
    before_jobs = {s.job_id for s in tour.manager.list_jobs()}
    before = tour.submits()
    client = tour.session()
    prompt = client.predict(api_name="/load_example_cast")[-3]
    alert = client.predict(prompt, *FORM.values(), api_name="/generate")
    new = {s.job_id for s in tour.manager.list_jobs()} - before_jobs
    if not new:
        return Row(fault.name, f"refused before sending: {alert}", tour.submits() - before)
    (job_id,) = new
    until = (lambda s: True) if fault.expect == "waiting" else None
    state, said = tour.watch(client, until)
    outcome = state
    if fault.after is not None:
        outcome = f"{state} → {fault.after(tour, job_id)}"
    if undo:
        undo()
    tour.faults([])
    snap = tour.manager.snapshot(job_id)
    final = snap.state if snap else "deleted"
    if fault.expect == "waiting":
        outcome = f"{state}, waiting as the service asked"
    submits = tour.submits() - before
    lost = final == "failed" and submits > 0 and fault.expect != "failed"
    silent = fault.stalls and not said
    return Row(fault.name, outcome, submits, said, silent, lost)


CRASH_KEY = "made-up-key-for-the-fault-tour"


def crash_with_uncertain_submit() -> Row:
    """The studio (its own process, live mode) is killed with SIGKILL while the service holds the answer
    to a submit that created a task.  After the restart the job is "submission uncertain"; the user
    finds the task in their account (here: the emulator's own list, as the provider's dashboard would
    show it) and attaches it (JobManager.resolve_uncertain "attach": checked, then followed; nothing
    is sent again).  Nothing is paid twice and the paid video arrives."""
    from app import build_studio
    from r2v_ui.config import Settings
    from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
    from r2v_ui.ports import free_port

    name = "SIGKILL while a submit answer is in flight"
    data = Path(tempfile.mkdtemp(prefix="r2v-fault-tour-crash-"))
    emu = EmbeddedEmulator(EmulatorConfig(api_key=CRASH_KEY, finish_seconds=2.0)).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIGHWAY_", "R2V_"))}
    env |= {"HIGHWAY_API_KEY": CRASH_KEY, "HIGHWAY_BASE_URL": emu.base_url, "R2V_HOSTING": "emulator",
            "R2V_DATA_DIR": str(data), "R2V_POLL_RPM": "600", "GRADIO_ANALYTICS_ENABLED": "False"}
    try:
        httpx.post(f"{emu.base_url}/emulator/faults", json={"seed": 7, "rules": [
            {"route": "submit", "kind": "slow", "delay": 120, "after_create": True}]}).raise_for_status()
        port = free_port()
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=open(data.parent / f"{data.name}.log", "wb"), stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            client = gradio_client.Client(url, verbose=False)
            prompt = client.predict(api_name="/load_example_cast")[-3]
            client.predict(prompt, *FORM.values(), api_name="/generate")
            client.predict(prompt, *FORM.values(), api_name="/confirm_generate")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and emu.state.submits < 1:
                time.sleep(0.1)  # until the task exists and its answer is held back
        finally:
            os.kill(proc.pid, signal.SIGKILL)  # no clean-up of any kind runs
            proc.wait(timeout=10)
        httpx.post(f"{emu.base_url}/emulator/faults", json={"seed": 7, "rules": []}).raise_for_status()
        studio = build_studio(Settings.from_env(env))  # the restart: resume() finds the job
        try:
            manager = studio.manager
            (rec,) = manager.store.list()
            snap = manager.snapshot(rec.job_id, owner=rec.owner)
            said = [str(snap.error)] if snap.error else []
            after = snap.state
            (task_id,) = list(emu.state.tasks)  # the one task, as the provider's dashboard lists it
            manager.resolve_uncertain(rec.job_id, "attach", owner=rec.owner, task_id=task_id)
            deadline = time.monotonic() + WATCH_LIMIT_S
            while time.monotonic() < deadline and not (snap := manager.snapshot(rec.job_id, owner=rec.owner)).terminal:
                time.sleep(0.2)
            outcome = f"{after} after restart → attached the task → {snap.state}"
            lost = snap.state != "succeeded"
        finally:
            studio.close()
        return Row(name, outcome, emu.state.submits, said, silent=after == "uncertain" and not said, lost=lost)
    finally:
        emu.stop()


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="r2v-fault-tour-"))
    downloads = Path(tempfile.mkdtemp(prefix="r2v-fault-tour-dl-"))
    mounted = can_mount() and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", str(data)],
                                             capture_output=True).returncode == 0
    print(f"data folder: {data} ({'a tmpfs of its own' if mounted else 'a plain folder'})", flush=True)
    rows: list[Row] = []

    def report(row: Row, t0: float) -> None:
        rows.append(row)
        print(f"{row.fault:<42} {row.outcome:<58} submits={row.submits}  ({time.monotonic() - t0:.0f} s)", flush=True)
        for text in row.said[:3]:
            print(f"    page said: {text[:150]}", flush=True)

    try:
        with running_studio(data, finish_seconds=2.0) as studio:
            tour = Tour(studio, downloads)
            tour.mounted = mounted
            for fault in FAULTS:
                t0 = time.monotonic()
                report(run(tour, fault), t0)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(data)], capture_output=True)
    t0 = time.monotonic()
    report(crash_with_uncertain_submit(), t0)
    print()
    print("| fault | outcome | tasks created (billed) | what the page said |")
    print("|---|---|---|---|")
    for r in rows:
        said = " / ".join(t[:110] for t in r.said[:2]) or "—"
        print(f"| {r.fault} | {r.outcome} | {r.submits} | {said} |")
    doubles = sum(1 for r in rows if r.submits > 1)
    print()
    print(f"paid jobs lost: {sum(r.lost for r in rows)}; double submits: {doubles}; "
          f"silent stalls: {sum(r.silent for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
