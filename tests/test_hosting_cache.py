"""The content-hash cache: the same file is not uploaded again while its URL is valid for long
enough; a changed file, an expiring entry or a link that died is uploaded again.  Uploads are
counted where they land (the emulator's own counter, the public host's issued links)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from starlette.applications import Starlette

from r2v_ui.emulator import EmbeddedEmulator, EmulatorConfig
from r2v_ui.hosting import CachingHost, EmulatorHost, PublicAppHost, public_reference_routes
from tests.fixtures_hosting import LoopbackServer, write_png

KEY = "k"


class Clock:
    def __init__(self):
        self.now = 2_000_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def emulator():
    with EmbeddedEmulator(EmulatorConfig(api_key=KEY, upload_ttl_seconds=6 * 3600)) as emu:
        yield emu


def uploads(emulator) -> int:
    return httpx.get(f"{emulator.base_url}/emulator/stats").json()["uploads"]


@pytest.mark.asyncio
async def test_same_file_twice_is_uploaded_once(emulator, tmp_path):
    cached = CachingHost(EmulatorHost(emulator.base_url, KEY), tmp_path / "cache.json")
    src = write_png(tmp_path / "a.png", seed=1)
    before = uploads(emulator)
    first = await cached.put(src, content_type="image/png")
    seen = []
    second = await cached.put(src, content_type="image/png", on_progress=lambda d, t: seen.append((d, t)))
    assert second == first
    assert uploads(emulator) == before + 1
    assert seen == [(src.stat().st_size, src.stat().st_size)]  # the page still sees it done
    # The cache outlives the process: a new CachingHost over the same file reuses the entry.
    again = CachingHost(EmulatorHost(emulator.base_url, KEY), tmp_path / "cache.json")
    assert await again.put(src, content_type="image/png") == first
    assert uploads(emulator) == before + 1
    # A copy with another name is the same content: no upload either.
    copy = tmp_path / "copy of a.png"
    copy.write_bytes(src.read_bytes())
    assert await again.put(copy, content_type="image/png") == first
    assert uploads(emulator) == before + 1


@pytest.mark.asyncio
async def test_parallel_puts_of_one_file_upload_it_once(emulator, tmp_path):
    cached = CachingHost(EmulatorHost(emulator.base_url, KEY), tmp_path / "cache.json")
    src = write_png(tmp_path / "a.png", seed=2)
    other = write_png(tmp_path / "b.png", seed=3)
    before = uploads(emulator)
    results = await asyncio.gather(*(cached.put(f, content_type="image/png") for f in (src, src, other, src)))
    assert results[0] == results[1] == results[3] != results[2]
    assert uploads(emulator) == before + 2
    entries = json.loads((tmp_path / "cache.json").read_text())["entries"]
    assert len(entries) == 2


@pytest.mark.asyncio
async def test_a_changed_file_is_uploaded_again(emulator, tmp_path):
    cached = CachingHost(EmulatorHost(emulator.base_url, KEY), tmp_path / "cache.json")
    src = write_png(tmp_path / "a.png", seed=4)
    before = uploads(emulator)
    first = await cached.put(src, content_type="image/png")
    write_png(src, seed=5)
    second = await cached.put(src, content_type="image/png")
    assert second.url != first.url
    assert uploads(emulator) == before + 2
    assert httpx.get(second.url).content == src.read_bytes()


@pytest.mark.asyncio
async def test_an_entry_close_to_expiry_is_uploaded_again(emulator, tmp_path):
    clock = Clock()
    cached = CachingHost(EmulatorHost(emulator.base_url, KEY), tmp_path / "cache.json",
                         margin_seconds=2 * 3600, clock=clock)
    src = write_png(tmp_path / "a.png", seed=6)
    before = uploads(emulator)
    first = await cached.put(src, content_type="image/png")
    clock.now = first.expires_at - 2 * 3600 - 60  # still more than the margin left
    assert await cached.put(src, content_type="image/png") == first
    assert uploads(emulator) == before + 1
    clock.now = first.expires_at - 2 * 3600 + 60  # less than the margin left: a task might outlive it
    second = await cached.put(src, content_type="image/png")
    assert uploads(emulator) == before + 2
    assert second.url != first.url


@pytest.mark.asyncio
async def test_a_link_that_died_early_is_replaced(tmp_path):
    """A cached link that no longer answers (storage emptied, object deleted) is not handed on."""
    public = PublicAppHost(None, tmp_path / "store", ttl_seconds=6 * 3600)
    with LoopbackServer(Starlette(routes=public_reference_routes(public))) as studio:
        public.set_public_base_url(studio.base_url)
        cached = CachingHost(public, tmp_path / "cache.json")
        src = write_png(tmp_path / "a.png", seed=7)
        first = await cached.put(src, content_type="image/png")
        assert await cached.put(src, content_type="image/png") == first
        assert len(public._index) == 1
        public.forget(first.url.split("/")[-2])
        second = await cached.put(src, content_type="image/png")
        assert second.url != first.url and len(public._index) == 1
        assert httpx.get(second.url).content == src.read_bytes()
        assert (cached.hits, cached.misses) == (1, 2)


@pytest.mark.asyncio
async def test_a_reference_the_store_kept_is_hosted_without_hashing_it_again(emulator, tmp_path, monkeypatch):
    from r2v_ui import atomic_files
    from r2v_ui.store import JobStore

    store = JobStore(tmp_path / "data")
    digest, kept = store.keep_reference(write_png(tmp_path / "a.png", seed=11))
    hashed = []
    real_hash = atomic_files.file_sha256
    monkeypatch.setattr("r2v_ui.hosting.cache.file_sha256", lambda p: hashed.append(p) or real_hash(p))
    cached = CachingHost(EmulatorHost(emulator.base_url, KEY), tmp_path / "cache.json")

    by_name = await cached.put(kept, content_type="image/png")  # the store remembered what it hashed
    given = await cached.put(kept, content_type="image/png", sha256=digest)  # the job says it

    assert hashed == [] and by_name == given
    key = next(iter(json.loads((tmp_path / "cache.json").read_text())["entries"]))
    assert digest in key


@pytest.mark.asyncio
async def test_a_file_whose_hash_is_given_is_read_once_to_upload_it_and_never_to_hash_it(emulator, tmp_path,
                                                                                         monkeypatch):
    import builtins
    import hashlib

    src = write_png(tmp_path / "kept.png", seed=12)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    other = write_png(tmp_path / "other.png", seed=13)  # nobody hashed either file in this process yet
    opened: list[str] = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if str(file) in (str(src), str(other)):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    cached = CachingHost(EmulatorHost(emulator.base_url, KEY), tmp_path / "cache.json")

    hosted = await cached.put(src, content_type="image/png", sha256=digest)
    await cached.put(other, content_type="image/png")  # the same host without a known hash: hashed, then sent

    assert opened.count(str(src)) == 1  # the upload's one read
    assert opened.count(str(other)) == 2  # the hash's read and the upload's
    monkeypatch.setattr(builtins, "open", real_open)
    assert httpx.get(hosted.url).content == src.read_bytes()
