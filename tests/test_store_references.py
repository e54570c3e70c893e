"""Keeping references: many jobs at once, one read per file, and the one atomic write."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from r2v_ui import atomic_files
from r2v_ui.store import references as store_files
from r2v_ui.store import JobStore


def _reference(path: Path, size: int = 3 * 1024 * 1024 + 17, seed: int = 1) -> Path:
    path.write_bytes(hashlib.sha256(str(seed).encode()).digest() * (size // 32) + b"end")
    return path


def _at_once(n: int, fn):
    """Run fn(i) in n threads released together; return results in order (or re-raise the first error)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def _no_temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_twenty_jobs_keeping_the_same_reference_at_once_write_it_once_and_none_fails(tmp_path, monkeypatch):
    store = JobStore(tmp_path / "data")
    src = _reference(tmp_path / "Ada.PNG")
    copies = []
    real_copy = store_files.copy_hashing
    monkeypatch.setattr(store_files, "copy_hashing", lambda *a, **kw: copies.append(1) or real_copy(*a, **kw))

    results = _at_once(20, lambda i: store.keep_reference(src))

    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert set(results) == {(digest, store.references_dir / f"{digest}.png")}
    assert len(copies) == 1  # written once
    assert (store.references_dir / f"{digest}.png").read_bytes() == src.read_bytes()
    assert _no_temporaries(store.references_dir) == []


def test_twenty_uploads_of_the_same_bytes_at_once_end_as_one_kept_file(tmp_path):
    store = JobStore(tmp_path / "data")
    sources = [_reference(tmp_path / f"upload-{i}.jpg") for i in range(20)]  # same content, 20 files

    results = _at_once(20, lambda i: store.keep_reference(sources[i]))

    assert len(set(results)) == 1
    assert [p.name for p in store.references_dir.iterdir()] == [results[0][1].name]


def test_keeping_reads_the_file_once_and_hosting_the_copy_does_not_hash_it_again(tmp_path, monkeypatch):
    store = JobStore(tmp_path / "data")
    src = _reference(tmp_path / "voice.wav", seed=7)
    opened: list[str] = []
    real_open = open

    def spying_open(file, *a, **kw):
        opened.append(Path(file).name)
        return real_open(file, *a, **kw)

    monkeypatch.setattr("builtins.open", spying_open)
    digest, kept = store.keep_reference(src)
    assert opened.count("voice.wav") == 1  # one read: hashed while copied
    opened.clear()
    assert atomic_files.file_sha256(kept) == digest
    assert atomic_files.file_sha256(src) == digest
    assert opened == []  # both digests were already known


def test_a_kept_copy_left_short_by_a_power_cut_is_written_again(tmp_path):
    store = JobStore(tmp_path / "data")
    src = _reference(tmp_path / "clip.mp4", seed=3)
    digest, kept = store.keep_reference(src)
    kept.write_bytes(b"")  # what an unflushed file may look like after a power cut
    os.utime(src)  # and the studio restarted: nothing remembered for this file

    again = store.keep_reference(src)

    assert again == (digest, kept) and kept.read_bytes() == src.read_bytes()


def test_the_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "index.json"
    atomic_files.write_atomic(target, b"old", durable=True)

    def half_then_fail(f):
        f.write(b"ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_files.write_atomic(target, half_then_fail, durable=False)
    assert target.read_bytes() == b"old" and _no_temporaries(tmp_path) == []


def test_many_writers_of_one_file_at_once_never_collide(tmp_path):
    target = tmp_path / "cache.json"

    _at_once(20, lambda i: atomic_files.write_json_atomic(target, {"writer": i}, durable=False))

    assert target.read_text().startswith("{") and _no_temporaries(tmp_path) == []


def test_a_writer_that_needs_a_path_gets_a_unique_one_and_nothing_is_left_when_it_fails(tmp_path):
    target = tmp_path / "poster.jpg"
    with atomic_files.atomic_path(target, durable=False) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_bytes(b"first")
    with pytest.raises(RuntimeError):
        with atomic_files.atomic_path(target, durable=True) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("encoder crashed")
    assert target.read_bytes() == b"first" and _no_temporaries(tmp_path) == []


def test_a_file_from_a_folder_that_never_changes_is_kept_by_a_link_without_writing_it(tmp_path, monkeypatch):
    store = JobStore(tmp_path / "data")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    store.allow_links_from(uploads)
    copies = []
    monkeypatch.setattr(store_files, "copy_hashing", lambda *a, **kw: copies.append(1))
    repaired = _reference(store.work_dir / "checked-ada.jpg", seed=5)
    uploaded = _reference(uploads / "bob.png", seed=6)

    kept = [store.keep_reference(repaired), store.keep_reference(uploaded)]

    assert copies == []  # nothing copied
    for src, (digest, path) in zip((repaired, uploaded), kept):
        assert path.stat().st_ino == src.stat().st_ino and digest == hashlib.sha256(src.read_bytes()).hexdigest()
    uploaded.unlink()  # the page's upload folder is cleaned: the kept reference stays
    assert kept[1][1].read_bytes()[:32] == hashlib.sha256(b"6").digest()


def test_a_file_from_anywhere_else_is_copied_not_linked(tmp_path):
    store = JobStore(tmp_path / "data")
    src = _reference(tmp_path / "mine.png", seed=8)
    _, kept = store.keep_reference(src)
    assert kept.stat().st_ino != src.stat().st_ino


def test_a_kept_reference_kept_again_after_a_restart_is_neither_copied_nor_rewritten(tmp_path, monkeypatch):
    src = _reference(tmp_path / "mine.png", seed=9)
    digest, kept = JobStore(tmp_path / "data").keep_reference(src)
    inode = kept.stat().st_ino
    store = JobStore(tmp_path / "data")  # a new start: a remix keeps the kept file as its source
    monkeypatch.setattr(atomic_files, "_digest_memo", {})  # nothing remembered from before the restart
    copies = []
    monkeypatch.setattr(store_files, "copy_hashing", lambda *a, **kw: copies.append(1))

    assert store.keep_reference(kept) == (digest, kept)
    assert copies == [] and kept.stat().st_ino == inode and _no_temporaries(store.references_dir) == []
