"""Benchmarks of the store, hosting preparation and probes (not a test: pytest does not collect this
file, nothing is asserted).

    python tests/bench_store.py [--quick] [--jobs 10000] [--only keep|generate|probe|library] [--size-mb 90]

Each case is printed beside its baseline, measured in the same run (median of the repeats):

1. keeping references: 3 generated files of ~90 MB — `keep_reference` of each plus learning the
   digest the hosting cache keys on (what happens before an upload starts; copied, and hard-linked
   from a folder that allows it), against a plain read of the same files in 1 MB chunks and a plain
   fetch of them over loopback HTTP (curl, as the service would); then the whole way to fetchable
   links (keep + `CachingHost.put` to the embedded emulator) against a bare upload of the 3;
1b. Generate → references fetchable: 3 generated files through the job manager (`start()` until the
   job submits: each kept and hosted on the embedded emulator) against a plain fetch of the same
   files (httpx GET, and curl when installed) — see bench_generate;
2. probes: an 8000×6000 PNG and a 24-megapixel JPEG (both within the service's rules, so accepted
   as they are) — `media.probe` against Pillow's header read (`Image.open` + size, mode, info);
   time in this process, memory as the growth of a fresh child process's peak (VmHWM);
3. start-up (`JobStore(...)` + `unfinished()`) and list calls (a History page of 50, a search, a
   count) with 10 jobs against the same with 10,000 jobs.

Figures depend on the machine (and on the page cache: the generated files are read while cached;
and on the disk's write-back: a copy made while earlier runs' copies are still being written waits
for them, hence a second row measured after os.sync()); say where they were taken when quoting them.
"""

from __future__ import annotations

import argparse
import asyncio
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from r2v_ui import media  # noqa: E402
from r2v_ui.jobs.states import TERMINAL_STATES  # noqa: E402
from r2v_ui.store import JobRecord, JobStore  # noqa: E402
from r2v_ui.store.schema import insert_sql, to_row  # noqa: E402

MB = 1024 * 1024
PROMPTS = ["character1 walks towards character2 while the sun sets", "角色一在雨中跳舞，镜头缓慢推进",
           "The FOX and character2 argue in a kitchen", "character1 waves at the camera"]


def paired_ms(fn, base, repeats: int, settle=None) -> tuple[float, float]:
    """Medians of fn and of its baseline, run in turn (so a busy moment of a shared machine hits both);
    `settle` runs, untimed, before each."""
    a, b = [], []
    for _ in range(repeats):
        for f, out in ((base, b), (fn, a)):
            if settle:
                settle()
            t0 = time.perf_counter()
            f()
            out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(a), statistics.median(b)


def row(label: str, ms: float, base_ms: float, base_label: str, extra: str = "") -> None:
    print(f"  {label:<58} {ms:9.2f} ms   {base_label:<32} {base_ms:9.2f} ms   ×{ms / base_ms:6.2f} {extra}")


# --- 1. keeping references ---------------------------------------------------------------------------

def digest_for_hosting(path: Path) -> str:
    """What the hosting cache does to learn a kept file's digest before uploading it."""
    try:
        from r2v_ui.atomic_files import file_sha256, known_sha256
    except ImportError:  # the studio before the one-read keep
        from r2v_ui.hosting.base import file_sha256
        known_sha256 = None
    return (known_sha256 and known_sha256(path)) or file_sha256(path)


def bench_keep(tmp: Path, size_mb: int, repeats: int) -> None:
    print(f"1. keeping 3 references of {size_mb} MB (generated), then the digest hosting needs")
    rng = np.random.default_rng(1)
    files = []
    for i in range(3):
        p = tmp / f"ref{i}.mp4"
        with open(p, "wb") as f:
            for _ in range(size_mb):
                f.write(rng.bytes(MB))
        files.append(p)

    def plain_read():
        for p in files:
            with open(p, "rb") as f:
                while f.read(MB):
                    pass

    runs = iter(range(1000))

    def keep_all(put=None, linked=False):
        store = JobStore(tmp / f"data{next(runs)}")
        if linked:
            store.allow_links_from(tmp)  # as the page does for its upload folder
        kept = []
        for p in files:
            os.utime(p)  # a new upload each run: nothing remembered from the last one
            kept.append(store.keep_reference(p)[1])
        if put is None:
            for k in kept:
                digest_for_hosting(k)
        else:
            put(kept)

    plain_read()  # warm the page cache
    row("keep_reference ×3 + hosting digest", *paired_ms(keep_all, plain_read, repeats), "plain read of the 3 files")
    can_link = hasattr(JobStore, "allow_links_from")

    from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
    from r2v_ui.hosting import CachingHost, EmulatorHost

    with EmbeddedEmulator(EmulatorConfig(api_key="bench", data_dir=tmp / "emulator")) as emu:
        bare = EmulatorHost(emu.base_url, "bench")

        async def put_all(host, paths):
            return await asyncio.gather(*(host.put(p, content_type="video/mp4") for p in paths))

        urls = [h.url for h in asyncio.run(put_all(bare, files))]

        def fetch():  # what the service does with the links: curl, or httpx when there is no curl
            if shutil.which("curl"):
                subprocess.run(["curl", "-sf", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", *urls],
                               check=True)
            else:
                for u in urls:
                    with httpx.stream("GET", u) as r:
                        for _ in r.iter_bytes(MB):
                            pass

        fetch()
        row("keep_reference ×3 + hosting digest", *paired_ms(keep_all, fetch, repeats), "plain fetch of the 3 (loopback)")
        row("  the same, each run after os.sync()", *paired_ms(keep_all, fetch, repeats, os.sync),
            "plain fetch of the 3 (loopback)", "  (no write-back backlog from earlier runs)")
        if can_link:
            row("the same, from a folder that allows links", *paired_ms(lambda: keep_all(linked=True), fetch, repeats),
                "plain fetch of the 3 (loopback)")

        def cached_put(kept):
            host = CachingHost(EmulatorHost(emu.base_url, "bench"), tmp / f"cache{next(runs)}.json", verify=False)
            asyncio.run(put_all(host, kept))

        row("keep ×3 + CachingHost.put ×3 → fetchable", *paired_ms(lambda: keep_all(cached_put),
            lambda: asyncio.run(put_all(bare, files)), repeats), "plain upload of the 3 (no keep)")


def make_references(folder: Path, size_mb: int, n: int = 3) -> list[Path]:
    """n files of random bytes (so nothing compresses or dedups them), named like reference videos."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    files = []
    for i in range(n):
        p = folder / f"ref{i}.mp4"
        with open(p, "wb") as f:
            for _ in range(size_mb):
                f.write(rng.bytes(MB))
        files.append(p)
    return files


def bench_generate(tmp: Path, size_mb: int, repeats: int) -> dict[str, float]:
    """Generate → references fetchable, through the job manager: from `start()` to the moment the
    job is about to submit (each reference kept in the library and hosted on the embedded emulator,
    its link fetchable), beside a plain fetch of the same files over loopback: httpx GET streamed
    to nowhere (as curl -o /dev/null does; curl itself too when it is installed).

    The files sit in a folder the store may link from, as the page's uploads do (app.py allows
    Gradio's upload folder).  Between runs, untimed, the run's job ends and its kept copies and the
    emulator's copies of its uploads are deleted: on a virtual machine the first touch of memory the
    page cache has never used costs more than the copy itself (~2.5 ms/MB here), so a benchmark that
    keeps every run's copies measures the machine's memory growing, not the studio."""
    print(f"1b. Generate → 3 references of {size_mb} MB fetchable (job manager, embedded emulator)")
    from r2v_ui.config import Settings
    from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
    from r2v_ui.hosting import EmulatorHost, make_host
    from r2v_ui.jobs import JobDraft, JobManager, Reference, Target
    from r2v_ui.jobs.states import JobState

    uploads = tmp / "page-uploads"
    files = make_references(uploads, size_mb)
    key = "bench-key-not-real"
    with EmbeddedEmulator(EmulatorConfig(api_key=key, data_dir=tmp / "emulator", finish_seconds=0.5)) as emu:
        bare = EmulatorHost(emu.base_url, key)

        async def put_all():
            return await asyncio.gather(*(bare.put(p, content_type="video/mp4") for p in files))

        urls = [h.url for h in asyncio.run(put_all())]
        baseline_uploads = set((tmp / "emulator" / "uploads").iterdir())

        def fetch_httpx() -> None:
            with httpx.Client(timeout=60) as client:
                for u in urls:
                    with client.stream("GET", u) as r:
                        for _ in r.iter_bytes(MB):
                            pass

        def fetch_curl() -> None:
            subprocess.run(["curl", "-sf", *(["-o", "/dev/null"] * len(urls)), *urls], check=True)

        runs = iter(range(1000))

        def generate() -> float:
            data = tmp / f"gen{next(runs)}"
            settings = Settings(data_dir=data, poll_requests_per_minute=6000)
            store = JobStore(data)
            store.allow_links_from(uploads)  # as app.py does for the page's upload folder
            manager = JobManager(settings, store, demo_target=Target("demo", emu.base_url), demo_key=key,
                                 host_factory=lambda _t: make_host(settings.with_overrides(hosting="emulator"),
                                                                   emulator_url=emu.base_url, emulator_key=key))
            fetchable = threading.Event()
            real_update = store.update

            def update(job_id, **changes):
                if changes.get("state") == JobState.SUBMITTING:
                    fetchable.set()
                return real_update(job_id, **changes)

            store.update = update
            refs = tuple(Reference(kind="video", path=p, name=p.name, content_type="video/mp4", duration=5.0)
                         for p in files)
            for p in files:
                os.utime(p)  # a new upload each run: nothing remembered from the last one
            try:
                t0 = time.perf_counter()
                job_id = manager.start(JobDraft(references=refs, prompt="character1 waves", size="1280*720",
                                                duration=2))
                if not fetchable.wait(120):
                    raise RuntimeError(f"the job never got to submit: {manager.snapshot(job_id)}")
                took = time.perf_counter() - t0
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and (manager.snapshot(job_id).state not in TERMINAL_STATES):
                    time.sleep(0.05)  # untimed: the emulator reads the links before the next run
                return took * 1000
            finally:
                manager.close()
                shutil.rmtree(data, ignore_errors=True)
                for f in set((tmp / "emulator" / "uploads").iterdir()) - baseline_uploads:
                    f.unlink(missing_ok=True)

        fetch_httpx()  # warm
        gen, base, base_curl = [], [], []
        for _ in range(repeats):
            for fn, out in ((fetch_httpx, base), (generate, gen)):
                t0 = time.perf_counter()
                took = fn()
                out.append(took if took is not None else (time.perf_counter() - t0) * 1000)
            if shutil.which("curl"):
                t0 = time.perf_counter()
                fetch_curl()
                base_curl.append((time.perf_counter() - t0) * 1000)
        g, b = statistics.median(gen), statistics.median(base)
        row("Generate → 3 references fetchable", g, b, "plain fetch of the 3 (httpx GET)")
        out = {"generate_ms": g, "fetch_ms": b}
        if base_curl:
            c = statistics.median(base_curl)
            row("  the same", g, c, "plain fetch of the 3 (curl)")
            out["curl_ms"] = c
        return out


# --- 2. probes -----------------------------------------------------------------------------------------

def make_pictures(tmp: Path) -> dict[str, Path]:
    y, x = np.mgrid[0:6000, 0:8000]
    rgb = np.stack([(x // 31) % 256, (y // 23) % 256, ((x + y) // 47) % 256], axis=-1).astype(np.uint8)
    rgb[::3, ::5, 2] ^= np.random.default_rng(2).integers(0, 4, (2000, 1600), dtype=np.uint8)  # some texture
    png = tmp / "wide-8000x6000.png"
    Image.fromarray(rgb).save(png, "PNG", compress_level=6)
    y, x = np.mgrid[0:4000, 0:6000]
    rgb = np.stack([(x // 9) % 256, (y // 7) % 256, 128 + 0 * x], axis=-1).astype(np.uint8)
    jpg = tmp / "camera-24mp.jpg"
    Image.fromarray(rgb).save(jpg, "JPEG", quality=90)
    return {"PNG 8000×6000": png, "JPEG 6000×4000 (24 MP)": jpg}


def header_read(path: Path) -> None:
    with Image.open(path) as im:
        _ = (im.size, im.mode, dict(im.info))


_CHILD = """
import json, sys
from pathlib import Path
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith(('VmHWM', 'VmRSS')):
            yield line.split()[0], int(line.split()[1])
sys.path.insert(0, sys.argv[1])
from PIL import Image
from r2v_ui import media
path, how = Path(sys.argv[2]), sys.argv[3]
before = dict(hwm())['VmRSS:']
if how == 'probe':
    r = media.probe(path, 'image', work_dir=Path(sys.argv[4]))
    verdict = r.verdict
else:
    with Image.open(path) as im:
        _ = (im.size, im.mode, dict(im.info))
    verdict = '-'
print(json.dumps({'kb': dict(hwm())['VmHWM:'] - before, 'verdict': verdict}))
"""


def child_peak_mb(path: Path, how: str, work: Path) -> tuple[float, str]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(path), how, str(work)],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["kb"] / 1024, data["verdict"]


def bench_probes(tmp: Path, repeats: int) -> None:
    print("2. probes (time here; memory = growth of a fresh child's peak)")
    work = tmp / "work"
    for label, path in make_pictures(tmp).items():
        header_read(path)
        ms, base = paired_ms(lambda: media.probe(path, "image", work_dir=work), lambda: header_read(path), repeats * 20)
        mem, verdict = child_peak_mb(path, "probe", work)
        base_mem, _ = child_peak_mb(path, "header", work)
        row(f"probe {label} ({path.stat().st_size / MB:.1f} MB, {verdict})", ms, base, "Pillow header read",
            f"  memory +{mem:.1f} MB vs +{base_mem:.1f} MB")


# --- 3. a library of 10 and of 10,000 ------------------------------------------------------------------

def fill_library(data: Path, n: int) -> None:
    """n jobs written straight into a new store's database (one transaction), with the record
    copies the store keeps for jobs without a video; 1 in 20 failed, and the newest 2 still running
    (the same 2 in every library: a start resumes what is running, whatever the library's size)."""
    store = JobStore(data)
    now = time.time() - n
    rows = []
    for i in range(n):
        state = "processing" if i >= n - 2 else "failed" if i % 20 == 3 else "succeeded"
        rec = JobRecord(
            job_id=f"job{i:06d}", owner="", state=state, created_at=now + i, updated_at=now + i,
            settings={"prompt": f"{PROMPTS[i % len(PROMPTS)]} #{i}", "size": "1280*720", "duration": 5,
                      "seed": i, "watermark": False, "audio": True, "negative_prompt": ""},
            references=[{"name": f"ref{k}.png", "kind": "image", "kept": f"references/{k:064x}.png",
                         "sha256": f"{k:064x}", "content_type": "image/png"} for k in range(3)],
            task_id=f"task-{i}", video_path=f"library/x_job{i:06d}.mp4" if state == "succeeded" else None,
            poster_path=f"library/x_job{i:06d}.jpg" if state == "succeeded" else None,
            timings={"submitted_at": now + i, "finished_at": now + i + 60}, price_label="about $0.50",
            stage_text="Done", error="The service refused the request." if state == "failed" else None,
        )
        rows.append(to_row(rec))
        if state != "succeeded":
            store.records.keep(rec)
    with contextlib.closing(store.db.connect()) as conn:
        conn.execute("BEGIN")
        for r in rows:
            conn.execute(insert_sql(r), r)
        conn.execute("COMMIT")


def bench_library(tmp: Path, big: int, repeats: int) -> None:
    print(f"3. start-up and list calls: 10 jobs vs {big:,} jobs")
    small_dir, big_dir = tmp / "lib10", tmp / f"lib{big}"
    fill_library(small_dir, 10)
    fill_library(big_dir, big)
    JobStore(small_dir), JobStore(big_dir)  # a first start may migrate or back-fill: measure the next ones
    row(f"start-up + unfinished(), {big:,} jobs", *paired_ms(lambda: JobStore(big_dir).unfinished(),
        lambda: JobStore(small_dir).unfinished(), repeats * 3), "the same, 10 jobs")
    stores = {d: JobStore(d) for d in (small_dir, big_dir)}
    has_count = hasattr(stores[big_dir], "count")
    cases = [
        ("list(limit=50): a History page", lambda s: s.list(limit=50)),
        ("list() with the default limit", lambda s: s.list()),
        ("list(search='fox', limit=50)", lambda s: s.list(search="fox", limit=50)),
        ("list(search='雨中', limit=50)", lambda s: s.list(search="雨中", limit=50)),
        ("list(states={'failed'}, limit=50)", lambda s: s.list(states={"failed"}, limit=50)),
    ]
    if has_count:
        cases += [("count(search='fox')", lambda s: s.count(search="fox")),
                  ("the last page: list(limit=50, offset=count-50)",
                   lambda s: s.list(limit=50, offset=max(0, s.count() - 50)))]
    for label, fn in cases:
        row(f"{label}, {big:,} jobs", *paired_ms(lambda: fn(stores[big_dir]), lambda: fn(stores[small_dir]),
            repeats * 3), "the same, 10 jobs")
    if not has_count:
        print("  (this studio has no count() or offset: jobs past the list limit cannot be reached)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller files, fewer repeats")
    ap.add_argument("--jobs", type=int, default=10_000)
    ap.add_argument("--size-mb", type=int,
                    help="size of each generated reference for keep/generate (default 90; 20 with --quick)")
    ap.add_argument("--only", choices=["keep", "generate", "probe", "library"])
    args = ap.parse_args()
    repeats = 3 if args.quick else 5
    print(f"bench_store — python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), {time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory(prefix="r2v-bench-store-") as d:
        tmp = Path(d)
        if args.only in (None, "keep"):
            bench_keep(tmp, args.size_mb or (20 if args.quick else 90), repeats)
        if args.only in (None, "generate"):
            bench_generate(tmp, args.size_mb or (20 if args.quick else 90), repeats)
        if args.only in (None, "probe"):
            bench_probes(tmp, repeats)
        if args.only in (None, "library"):
            bench_library(tmp, args.jobs, repeats)


if __name__ == "__main__":
    main()
