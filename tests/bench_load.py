"""Load benchmark of the studio (not a test: pytest does not collect bench_*.py, nothing is asserted).

    python tests/bench_load.py                          # everything: N = 1, 10, 25, 50, then the rest
    python tests/bench_load.py --only sessions --sessions 1,10 --emulator-seconds 5   # a quick subset
    python tests/bench_load.py --only uploads,probes,library,page --quick
    python tests/bench_load.py --only sessions --sessions 50 --probe-client raw --timeline
    git archive <commit> | tar -x -C /tmp/before && python tests/bench_load.py --only sessions --root /tmp/before

Every figure is printed beside its baseline from the same run.  The parts (``--only``):

* ``sessions`` — N sessions making a video at once (below);
* ``uploads`` — Generate → references fetchable (3 × ``--upload-mb`` MB through the job manager)
  beside a plain fetch of the same files (bench_store.bench_generate);
* ``probes`` — media.probe of an 8000×6000 PNG and a 24 MP JPEG beside Pillow's header read, time and
  memory (bench_store.bench_probes);
* ``library`` — start-up and list calls with ``--library-jobs`` jobs beside the same with 10
  (bench_store.bench_library);
* ``page`` — bytes to a usable Generate beside a bare Gradio page, in Chromium (bench_page.measure).

For each N it starts a fresh studio (``app.build_studio``, demo mode, on a free loopback port, in
its own process; ``--root`` serves another checkout, to compare before and after a change), then:

1. idle baseline: a probe session fires a cheap page event (the "Seed" radio's change: the handler
   that shows or hides the seed box) ``--idle-probes`` times, alone;
2. N sessions each put a picture of their own on card 1 (not timed), then all press Generate at
   once (the burst) and follow their job until it ends, as an open tab does: the status stream
   (``/watch_job``, the event the page chains after Generate).  The sessions speak Gradio's queue
   protocol over httpx as the page's script does (``Session``); see there why not ``gradio_client``;
3. while they do, the probe session fires the same cheap event back to back (one every
   ``--probe-every`` seconds at most; never two at once) until every job has ended or
   ``--timeout`` has passed.

Three processes, so the figures do not measure each other's GIL: the studio, the probe, and this
one (the N sessions, in threads); they still share the machine's cores, with the emulator's renderer
inside the studio's process.  Loopback only; N, the time and the number of probes are bounded.

The probe is ``gradio_client`` by default, as the issues measured (it adds ~70 ms of its own polling
to every call, hence an idle p50 near 70 ms); ``--probe-client raw`` sends the event as the page
does and shows the studio's own latency.

The sessions part prints one table: per N, jobs done, wall time from the burst to the last job's
end, the cheap event's p95/p99 idle → under load (its p50/max, and p95/max in the first 10 s after
the burst, where a stalled queue shows), Generate's p95, the studio's RSS idle → at the end (peak),
the CPU seconds the studio spent per finished job (beside N=1's when N=1 ran), the CPU it used
meanwhile (in cores) and its peak thread count.  ``--timeline`` adds the cheap event's latency
second by second; ``--py-spy DIR`` records the studio's stacks for the first seconds after the
burst (set BENCH_SPY_GIL=1 to sample only the thread holding the GIL).

The emulator's poll budget (``poll_requests_per_minute``, 30 a minute by default, in jobs.py) would
make 50 jobs take many minutes to be seen finished; the benchmark raises it (``--poll-rpm``, default
6000) so that it measures the page, not that budget.  The emulator renders one clip at a time, so
the last of N jobs ends about N render times after the burst whatever the page does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORM = dict(negative="", tier="720P", aspect="16:9", duration=2, shot="single", audio=False, watermark=False,
            seed_mode="random", seed=None, shots=[], dont_ask=False, takes="1", recipe="")
EARLY_WINDOW_S = 10.0


# --- figures -------------------------------------------------------------------------------------
def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(1, min(len(s), int(-(-q * len(s) // 100))))  # ceil(q/100 * n)
    return s[k - 1]


def ms(x: float) -> str:
    return "-" if x != x else (f"{x * 1000:.0f}" if x < 10 else f"{x:.1f}s")


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) used by process `pid` so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def proc_status(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


# --- the studio, in its own process ----------------------------------------------------------------
def serve(data_dir: str, emulator_seconds: float, poll_rpm: int, root: str | None) -> None:
    """Child process: the real studio (of `root`, a checkout; this one by default) on loopback until
    stdin closes."""
    import logging

    if root:
        sys.path.insert(0, str(Path(root).resolve()))

    logging.basicConfig(level=logging.WARNING)
    from app import build_studio
    from r2v_ui.config import Settings

    settings = Settings.from_env({"R2V_DATA_DIR": data_dir}).with_overrides(
        emulator_finish_seconds=emulator_seconds, poll_requests_per_minute=poll_rpm)
    studio = build_studio(settings)
    try:
        from r2v_ui.ports import free_port

        studio.launch(host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=True)
        print(json.dumps({"url": studio.demo.local_url.rstrip("/"), "pid": os.getpid()}), flush=True)
        for line in sys.stdin:  # until stdin closes; `profile start` / `profile stop <file>` (bench_visitor --profile)
            command = line.split()
            if command[:2] == ["profile", "start"]:
                import yappi  # a measuring tool, not a dependency: pip install yappi

                yappi.set_clock_type("cpu")
                yappi.start(builtins=True, profile_threads=True)
            elif command[:2] == ["profile", "stop"]:
                import yappi

                yappi.stop()
                yappi.get_func_stats().save(command[2], type="pstat")
                yappi.clear_stats()
                print(json.dumps({"profile": command[2]}), flush=True)
    finally:
        studio.close()


def dependency_index(client, elem_id: str, event: str) -> int:
    """The fn_index of `event` on the component with `elem_id` (names of unnamed events are not stable)."""
    comp = next(c["id"] for c in client.config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    for i, dep in enumerate(client.config["dependencies"]):
        if [comp, event] in [list(t) for t in dep.get("targets", [])]:
            return dep.get("id", i)
    raise LookupError(f"no {event} event on #{elem_id}")


# --- the probe, in its own process -----------------------------------------------------------------
def probe(url: str, every: float, kind: str) -> None:
    """Child process.  Commands on stdin, one a line: `idle K` (K probes, then print them),
    `load` (probe until `stop`, then print them).  Printed: JSON lists of [start offset s, latency s].
    `kind`: "gradio" (gradio_client, as the issue measured: it adds ~70 ms of its own polling to each
    call and burns ~40 ms of CPU per call on the same cores) or "raw" (the page's own protocol)."""
    modes = ("fixed", "random")
    n = 0
    if kind == "raw":
        import httpx

        session = Session(url, httpx.get(f"{url}/config", timeout=30).json())

        def call(mode: str) -> None:
            session.call_on("seed-mode", "change", [mode])
    else:
        import gradio_client

        client = gradio_client.Client(url, verbose=False)
        seed_change = dependency_index(client, "seed-mode", "change")

        def call(mode: str) -> None:
            client.predict(mode, fn_index=seed_change)

    def one() -> float:
        nonlocal n
        n += 1
        t0 = time.perf_counter()
        call(modes[n % 2])
        return time.perf_counter() - t0

    one()  # warm up (connection, client-side threads)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "idle":
            out = []
            start = time.perf_counter()
            for _ in range(int(cmd[1])):
                t = time.perf_counter()
                out.append([t - start, one()])
                time.sleep(max(0.0, every - (time.perf_counter() - t)))
            print(json.dumps(out), flush=True)
        elif cmd[0] == "load":
            stop = threading.Event()

            def wait_stop() -> None:
                for l2 in sys.stdin:
                    if l2.strip() == "stop":
                        break
                stop.set()

            threading.Thread(target=wait_stop, daemon=True).start()
            out = []
            start = time.perf_counter()
            while not stop.is_set():
                t = time.perf_counter()
                out.append([t - start, one()])
                stop.wait(max(0.0, every - (time.perf_counter() - t)))
            print(json.dumps(out), flush=True)
        elif cmd[0] == "quit":
            return


class Child:
    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, __file__, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=str(ROOT))

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = 600):
        result: list = []
        t = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not result or not result[0]:
            raise RuntimeError(f"child {self.proc.args[2:4]} said nothing in {timeout:.0f} s")
        return json.loads(result[0])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- one round: N sessions -------------------------------------------------------------------------
class Session:
    """One browser-like session over Gradio's queue protocol, as the page's own script speaks it:
    POST /gradio_api/queue/join, then the session's event stream /gradio_api/queue/data (SSE) until
    the event completes.  (gradio_client spends ~40 ms of CPU per call polling its own queues: 50 of
    them ticking once a second would load two cores with the load generator instead of the studio.)"""

    def __init__(self, url: str, config: dict):
        import secrets

        import httpx

        self.url = url
        self.hash = secrets.token_hex(8)
        self.http = httpx.Client(timeout=httpx.Timeout(30.0, read=None))
        self.deps = {d.get("api_name"): d for d in config["dependencies"] if d.get("api_name")}
        self.states = {c["id"] for c in config["components"] if c.get("type") == "state"}
        self.config = config

    def call(self, api_name: str, values: list | None = None, *, on_update=None) -> list:
        """Run one event; `values` fill its non-State inputs in order (State lives on the server)."""
        dep = self.deps[api_name]
        values = list(values or [])
        data = [None if i in self.states else values.pop(0) for i in dep["inputs"]]
        r = self.http.post(f"{self.url}/gradio_api/queue/join", json={
            "data": data, "event_data": None, "fn_index": dep["id"], "trigger_id": None, "session_hash": self.hash})
        r.raise_for_status()
        event_id = r.json()["event_id"]
        with self.http.stream("GET", f"{self.url}/gradio_api/queue/data", params={"session_hash": self.hash}) as resp:
            for line in resp.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") != event_id:
                    continue
                if msg.get("msg") == "process_generating" and on_update is not None:
                    on_update(msg)
                if msg.get("msg") == "process_completed":
                    if not msg.get("success"):
                        raise RuntimeError(f"{api_name} failed: {str(msg.get('output'))[:200]}")
                    return msg["output"]["data"]
        raise RuntimeError(f"{api_name}: the event stream closed before the event completed")

    def call_on(self, elem_id: str, event: str, values: list) -> list:
        """Run the `event` of the component with `elem_id` (events without a stable API name)."""
        key = f"#{elem_id}.{event}"
        if key not in self.deps:
            comp = next(c["id"] for c in self.config["components"] if c.get("props", {}).get("elem_id") == elem_id)
            self.deps[key] = next(d for d in self.config["dependencies"]
                                  if [comp, event] in [list(t) for t in d.get("targets", [])])
        return self.call(key, values)

    def upload(self, path: Path) -> dict:
        """Upload a file as the page does; returns the FileData the page then sends to its event."""
        with open(path, "rb") as fh:
            r = self.http.post(f"{self.url}/gradio_api/upload", files=[("files", (path.name, fh, "image/png"))])
        r.raise_for_status()
        return {"path": r.json()[0], "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}

    def output(self, api_name: str, data: list, index: int):
        """The value of output `index` (a position among the event's outputs), or None when skipped."""
        value = data[index]
        if isinstance(value, dict) and value.get("__type__") == "update":
            return value.get("value")
        return value

    def close(self) -> None:
        self.http.close()


PROMPT = "character1 waves at the camera in a sunny park"


def session_prepare(url: str, config: dict, k: int, pictures: Path) -> tuple[Session, str]:
    """A session with one character on card 1: a picture of its own (a different colour per session,
    as different users' pictures are; the same file in every session would measure one cache)."""
    from tests.fixtures_ui import character_png

    session = Session(url, config)
    picture = character_png(pictures / f"character-{k}.png", ((37 * k) % 200 + 30, (91 * k) % 200 + 30, (53 * k) % 200 + 30))
    out = session.call_on("card-1-file", "upload", [session.upload(picture)])
    if "Accepted" not in json.dumps(out):
        raise RuntimeError(f"session {k}: the picture was not accepted: {json.dumps(out)[:300]}")
    return session, PROMPT


def session_run(session: Session, prompt: str):
    """Press Generate, then follow the job to its end.  Returns (generate latency, seconds to end, final html)."""
    t0 = time.perf_counter()
    out = session.call("generate", [prompt, *FORM.values()])  # the job id stays in session state
    gen = time.perf_counter() - t0
    alert = session.output("generate", out, 1)
    if alert:
        return gen, None, f"refused: {alert}"
    html = session.output("watch_job", session.call("watch_job"), 0) or ""
    return gen, time.perf_counter() - t0, html


def why(html: str) -> str:
    """The reason in a final status box (its alert text), or the start of whatever came back."""
    import re

    m = re.search(r'role="alert">(.*?)</div>', html or "", re.S)
    return re.sub(r"<[^>]+>", "", m.group(1))[:300] if m else (html or "")[:160]


def run_round(n: int, args) -> dict:
    data_dir = tempfile.mkdtemp(prefix=f"bench-load-{n}-")
    server = Child("--serve", data_dir, "--emulator-seconds", str(args.emulator_seconds), "--poll-rpm", str(args.poll_rpm),
                   *(["--root", args.root] if args.root else []))
    prober = None
    try:
        info = server.read(timeout=180)
        url, pid = info["url"], info["pid"]
        prober = Child("--probe", url, "--probe-every", str(args.probe_every), "--probe-client", args.probe_client)
        prober.read(timeout=120)
        prober.send(f"idle {args.idle_probes}")
        idle = [lat for _, lat in prober.read()]
        idle_rss_mb = proc_status(pid).get("VmRSS", 0) / 1024  # the RSS baseline: the studio up, nothing running

        import httpx

        config = httpx.get(f"{url}/config", timeout=30).json()
        pictures = Path(data_dir) / "pictures"
        pictures.mkdir()
        with ThreadPoolExecutor(max_workers=min(n, 4)) as pool:
            sessions = list(pool.map(lambda k: session_prepare(url, config, k, pictures), range(n)))
        peak_threads = [proc_status(pid).get("Threads", 0)]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.25):
                peak_threads.append(proc_status(pid).get("Threads", 0))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        barrier = threading.Barrier(n + 1)
        results: list = [None] * n

        def worker(k: int) -> None:
            session, prompt = sessions[k]
            barrier.wait()
            try:
                results[k] = session_run(session, prompt)
            except Exception as exc:  # a session that timed out or broke is counted, not fatal
                results[k] = (None, None, f"error: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n)]
        for t in threads:
            t.start()
        spy = None
        if args.py_spy:
            # Where the studio's threads spend the first seconds after the burst (collapsed stacks).
            seconds = os.environ.get("BENCH_SPY_SECONDS", str(int(EARLY_WINDOW_S)))
            gil = ["--gil"] if os.environ.get("BENCH_SPY_GIL") else []
            spy = subprocess.Popen(["py-spy", "record", "-p", str(pid), "-d", seconds, "-r", "200", *gil, "--format", "raw",
                                    "--nonblocking", "-o", str(Path(args.py_spy) / f"burst-{n}.txt")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prober.send("load")
        t_burst = time.perf_counter()
        cpu_burst = proc_cpu(pid)
        barrier.wait()
        for t in threads:
            t.join(max(1.0, t_burst + args.timeout + 30 - time.perf_counter()))
        wall = time.perf_counter() - t_burst
        cpu_s = proc_cpu(pid) - cpu_burst
        cores = cpu_s / wall
        if spy is not None:
            spy.wait()
        prober.send("stop")
        load = prober.read(timeout=args.timeout + 120)
        sampling.set()
        status = proc_status(pid)
        for session, _ in sessions:
            session.close()
        done = sum(1 for r in results if r and 'data-state="succeeded"' in (r[2] or ""))
        problems = sorted({why(r[2] if r else "no result") for r in results if not r or 'data-state="succeeded"' not in (r[2] or "")})
        gens = [r[0] for r in results if r and r[0] is not None]
        lat = [x for _, x in load]
        early = [x for t, x in load if t < EARLY_WINDOW_S]
        if args.timeline:
            # The cheap event's latency along the round, per second: median and max (ms).
            by_second: dict[int, list[float]] = {}
            for t, x in load:
                by_second.setdefault(int(t), []).append(x)
            print(f"N={n} timeline (s: median/max ms): " + ", ".join(
                f"{sec}: {statistics.median(v) * 1000:.0f}/{max(v) * 1000:.0f}" for sec, v in sorted(by_second.items())),
                flush=True)
        return dict(n=n, done=done, wall=wall, idle=idle, load=lat, early=early, gens=gens, cores=cores,
                    cpu_per_job=cpu_s / max(done, 1), idle_rss_mb=idle_rss_mb,
                    rss_mb=status.get("VmRSS", 0) / 1024, peak_mb=status.get("VmHWM", 0) / 1024,
                    threads=max(peak_threads), problems=problems)
    finally:
        if prober is not None:
            with contextlib.suppress(Exception):
                prober.send("quit")
            prober.close()
        server.close()
        shutil.rmtree(data_dir, ignore_errors=True)  # the round's videos, pictures and job database


def print_table(rounds: list[dict], args) -> None:
    print()
    print(f"Studio: {args.root or ROOT}. Cheap page event (Seed radio change) latency in ms, probe {args.probe_client}; emulator "
          f"{args.emulator_seconds:g} s/job, poll budget {args.poll_rpm}/min, probe at most every {args.probe_every:g} s")
    one = next((r for r in rounds if r["n"] == 1), None)  # the CPU-per-job baseline: one job alone
    head = ("N", "done", "wall", "cheap event p95/p99: idle → load", "load p50/max",
            f"first {EARLY_WINDOW_S:g}s p95/max",
            "generate p95", "RSS MB: idle → end (peak)", "CPU-s per job" + (" (N=1)" if one else ""), "studio CPU",
            "threads")
    rows = [head]
    for r in rounds:
        i, lo, e = r["idle"], r["load"], r["early"]
        rows.append((
            str(r["n"]), f'{r["done"]}/{r["n"]}', f'{r["wall"]:.0f}s',
            f"{ms(pct(i, 95))}/{ms(pct(i, 99))} → {ms(pct(lo, 95))}/{ms(pct(lo, 99))}",
            f"{ms(pct(lo, 50))}/{ms(max(lo) if lo else float('nan'))}",
            f"{ms(pct(e, 95))}/{ms(max(e) if e else float('nan'))}",
            ms(pct(r["gens"], 95)), f'{r["idle_rss_mb"]:.0f} → {r["rss_mb"]:.0f} ({r["peak_mb"]:.0f})',
            f'{r["cpu_per_job"]:.2f}' + (f' ({one["cpu_per_job"]:.2f})' if one else ""),
            f'{r["cores"]:.2f} cores', str(r["threads"]),
        ))
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    for k, row in enumerate(rows):
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    for r in rounds:
        for p in r["problems"]:
            print(f"  N={r['n']}: a job did not succeed: {p}")
    print(f"(machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}; figures vary with what else runs)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", default="1,10,25,50", help="comma-separated N (each at most 80)")
    p.add_argument("--emulator-seconds", type=float, default=15.0, help="how long the emulator takes per job")
    p.add_argument("--poll-rpm", type=int, default=6000, help="the job manager's poll budget per minute")
    p.add_argument("--timeline", action="store_true", help="also print the cheap event's latency second by second")
    p.add_argument("--probe-every", type=float, default=0.1)
    p.add_argument("--probe-client", choices=("gradio", "raw"), default="gradio",
                   help="how the probe calls the cheap event: gradio_client (as the issue measured) or the raw protocol")
    p.add_argument("--idle-probes", type=int, default=60)
    p.add_argument("--timeout", type=float, default=300.0, help="per round, from the burst")
    p.add_argument("--py-spy", metavar="DIR", help="record the studio with py-spy (if installed) for the first "
                   f"{EARLY_WINDOW_S:g} s after each burst, into DIR/burst-N.txt")
    p.add_argument("--root", help="serve the studio of another checkout (e.g. an export of the commit before a fix)")
    p.add_argument("--only", default=",".join(PARTS),
                   help=f"comma-separated parts to run (default all): {', '.join(PARTS)}")
    p.add_argument("--quick", action="store_true", help="fewer repeats in the uploads, probes and library parts")
    p.add_argument("--upload-mb", type=int, default=90, help="size of each of the 3 references in the uploads part")
    p.add_argument("--library-jobs", type=int, default=10_000, help="the big library's size in the library part")
    p.add_argument("--serve", help=argparse.SUPPRESS)
    p.add_argument("--probe", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve:
        serve(args.serve, args.emulator_seconds, args.poll_rpm, args.root)
        return 0
    if args.probe:
        probe(args.probe, args.probe_every, args.probe_client)
        return 0
    parts = [x.strip() for x in args.only.split(",") if x.strip()]
    if unknown := set(parts) - set(PARTS):
        raise SystemExit(f"--only: unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    print(f"bench_load — {os.cpu_count()} cpu(s), {time.strftime('%Y-%m-%d %H:%M')}; parts: {', '.join(parts)}",
          flush=True)
    if "sessions" in parts:
        ns = [int(x) for x in args.sessions.split(",") if x.strip()]
        if any(not 1 <= n <= 80 for n in ns):
            raise SystemExit("--sessions: each N from 1 to 80")
        rounds = []
        for n in ns:
            print(f"N={n}: starting a studio, {n} session(s)…", flush=True)
            r = run_round(n, args)
            print(f"N={n}: {r['done']}/{n} done in {r['wall']:.0f} s; load p95 {ms(pct(r['load'], 95))} ms, "
                  f"max {ms(max(r['load']) if r['load'] else float('nan'))}", flush=True)
            rounds.append(r)
        print_table(rounds, args)
    run_other_parts(parts, args)
    return 0


PARTS = ("sessions", "uploads", "probes", "library", "page")


def run_other_parts(parts: list[str], args) -> None:
    """The figures measured by bench_store.py and bench_page.py (one of each helper), each beside its
    baseline from this run: Generate → references fetchable vs a plain fetch of the same files, probes
    vs Pillow's header read, start-up and list calls with 10,000 jobs vs 10, the page's bytes vs a bare
    Gradio page.  They measure this checkout (--root applies to the sessions only)."""
    if not set(parts) & {"uploads", "probes", "library", "page"}:
        return
    from tests import bench_store

    repeats = 3 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="r2v-bench-load-") as d:
        tmp = Path(d)
        print(flush=True)
        if "uploads" in parts:
            bench_store.bench_generate(tmp, args.upload_mb, repeats)
        if "probes" in parts:
            bench_store.bench_probes(tmp, repeats)
        if "library" in parts:
            bench_store.bench_library(tmp, args.library_jobs, repeats)
    if "page" in parts:
        from tests import bench_page

        print("page weight (Chromium; bytes over the wire until Generate is usable)", flush=True)
        bench_page.print_table(bench_page.measure())


if __name__ == "__main__":
    sys.exit(main())
