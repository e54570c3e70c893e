"""A library of thousands: search, filters and paging in SQL, every job reachable, and a start that
reads only the unfinished jobs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from r2v_ui.store import jobstore as store_module
from r2v_ui.store import MIGRATIONS, SCHEMA_VERSION, JobRecord, JobStore
from r2v_ui.store.schema import UNFINISHED_SQL

PROMPTS = ["A fox dances in the snow", "角色一在雨中跳舞", "The FOX sleeps", "Ein Straßenfest im ÉTÉ", "a robot sings"]


def _record(job_id: str, i: int, **kw) -> JobRecord:
    base = dict(job_id=job_id, owner="", state="succeeded", created_at=1000.0 + i, updated_at=1000.0 + i,
                settings={"prompt": PROMPTS[i % len(PROMPTS)], "duration": 5}, references=[])
    base.update(kw)
    return JobRecord(**base)


@pytest.fixture
def library(tmp_path: Path) -> JobStore:
    store = JobStore(tmp_path / "data")
    for i in range(60):
        state = "processing" if i in (3, 41) else "failed" if i % 7 == 0 else "succeeded"
        store.create(_record(f"j{i:03d}", i, state=state, owner="bob" if i % 10 == 9 else ""))
    return store


def _ids(recs) -> list[str]:
    return [r.job_id for r in recs]


def test_search_runs_before_the_limit_so_an_old_match_is_found(library):
    library.create(_record("old-fox", -500, settings={"prompt": "the one with a Fennec FOX"}))
    assert _ids(library.list(search="fennec fox", limit=1)) == ["old-fox"]


def test_search_ignores_case_in_every_script_and_finds_chinese(library):
    assert len(library.list(search="FOX", limit=500)) == library.count(search="fox") == 24
    assert len(library.list(search="雨中")) == 12
    assert len(library.list(search="strassenfest im été")) == 12  # ß folds to ss, É to é


def test_every_job_is_reachable_by_paging_newest_first(library):
    pages, offset = [], 0
    while page := library.list(limit=7, offset=offset):
        pages += page
        offset += 7
    assert len(pages) == library.count() == 60
    assert _ids(pages) == [f"j{i:03d}" for i in reversed(range(60))]
    fox_pages = library.list(search="fox", limit=5, offset=20)
    assert _ids(fox_pages) == _ids(library.list(search="fox", limit=500))[20:25]


def test_filters_combine_with_search_and_owner(library):
    failed = library.list(states={"failed"})
    assert {r.state for r in failed} == {"failed"} and len(failed) == library.count(states={"failed"}) == 9
    bobs = library.list(owner="bob", search="robot")
    assert bobs and all(r.owner == "bob" and "robot" in r.settings["prompt"] for r in bobs)
    assert library.count(owner="bob", search="robot") == len(bobs)


def test_a_changed_prompt_is_found_by_its_new_words(library):
    library.update("j010", settings={"prompt": "a heron fishing", "duration": 5})
    assert _ids(library.list(search="HERON")) == ["j010"]


def test_a_prompt_written_with_names_is_found_by_the_names_and_by_the_tags(library):
    written = {"prompt": "character1 and character2 argue", "written_prompt": "@Mira and @Robo argue", "duration": 5}
    library.create(_record("named", 99, settings=written))
    assert _ids(library.list(search="mira")) == _ids(library.list(search="CHARACTER2 argue")) == ["named"]
    library.update("named", settings={"prompt": "character1 waves", "written_prompt": "@Bolt waves"})
    assert _ids(library.list(search="@bolt")) == ["named"] and library.count(search="mira") == 0


def test_a_version_6_database_finds_its_named_prompts_after_the_upgrade(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(data / "jobs.sqlite3")
    conn.create_function("r2v_casefold", 1, lambda t: (t or "").casefold(), deterministic=True)
    for version in range(1, 7):
        for stmt in MIGRATIONS[version]:
            conn.execute(stmt)
    conn.execute("PRAGMA user_version=6")
    settings = {"prompt": "character1 dances", "written_prompt": "@Mira dances"}
    conn.execute("INSERT INTO jobs (job_id, state, created_at, updated_at, settings_json, references_json, prompt_folded)"
                 " VALUES ('old', 'succeeded', 1.0, 1.0, ?, '[]', 'character1 dances')", (json.dumps(settings),))
    conn.commit()
    conn.close()

    store = JobStore(data)
    assert _ids(store.list(search="MIRA")) == _ids(store.list(search="character1")) == ["old"]


def test_a_start_reads_only_the_unfinished_jobs_from_an_index(library, monkeypatch):
    parsed: list[str] = []
    real = store_module.from_row
    monkeypatch.setattr(store_module, "from_row", lambda row: parsed.append(row["job_id"]) or real(row))

    reopened = JobStore(library.data_dir)
    assert parsed == []  # opening reads no job
    assert _ids(reopened.unfinished()) == ["j041", "j003"]
    assert sorted(parsed) == ["j003", "j041"]  # and resuming reads only those
    with sqlite3.connect(library.db_path) as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE {UNFINISHED_SQL}"))
    assert "jobs_unfinished" in plan


def _version_3_database(data: Path) -> None:
    data.mkdir(parents=True)
    conn = sqlite3.connect(data / "jobs.sqlite3")
    for version in (1, 2, 3):
        for stmt in MIGRATIONS[version]:
            conn.execute(stmt)
    conn.execute("PRAGMA user_version=3")
    rows = [("a", "succeeded", {"prompt": "Ein STRASSENFEST"}), ("b", "processing", {"prompt": "角色一在雨中"}),
            ("c", "failed", {"seed": 4}), ("d", "succeeded", None)]
    for i, (job_id, state, settings) in enumerate(rows):
        conn.execute("INSERT INTO jobs (job_id, state, created_at, updated_at, settings_json, references_json)"
                     " VALUES (?, ?, ?, ?, ?, '[]')",
                     (job_id, state, float(i), float(i), json.dumps(settings) if settings else "not json"))
    conn.commit()
    conn.close()


def test_a_version_3_database_is_migrated_its_prompts_searchable_and_its_records_kept(tmp_path):
    data = tmp_path / "data"
    _version_3_database(data)

    store = JobStore(data)

    assert sqlite3.connect(store.db_path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _ids(store.list(search="straßenfest")) == ["a"]
    assert _ids(store.list(search="雨中")) == ["b"]
    assert store.count() == 4 and store.count(search="x") == 0  # a row without a prompt or valid JSON
    assert _ids(store.unfinished()) == ["b"]
    assert sorted(p.stem for p in store.records_dir.glob("*.json")) == ["b", "c"]  # back-filled at upgrade



@pytest.mark.parametrize("size, poster_size", [((1920, 1080), (640, 360)), ((480, 640), (480, 640))])
def test_a_poster_is_the_first_frame_fitted_into_the_gallery_box(tmp_path, size, poster_size):
    from PIL import Image

    from r2v_ui.store.library import write_poster
    from tests.fixtures_emulator import make_video

    video = make_video(tmp_path / "clip.mp4", size, seconds=1.0)
    poster = tmp_path / "clip.jpg"
    assert write_poster(video, poster)
    with Image.open(poster) as img:
        assert img.format == "JPEG" and img.size == poster_size
        # The first frame: dark grey but for its leftmost column (make_video's bar grows frame by frame).
        r, g, b = img.convert("RGB").getpixel((img.width - 1, img.height // 2))
        assert max(r, g, b) < 60


def test_no_poster_from_a_file_that_is_not_a_video(tmp_path):
    from r2v_ui.store.library import write_poster

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    assert write_poster(broken, tmp_path / "broken.jpg") is False
    assert not (tmp_path / "broken.jpg").exists()
