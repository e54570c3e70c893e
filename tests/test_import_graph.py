"""The import graph (tests/import_graph.py, read from the source) has no circle, between modules or
between rooms; the store reaches into the job core only for its vocabulary; the hub holds memory only."""

from __future__ import annotations

from tests.import_graph import cycles, module_graph, room_graph


def test_no_module_imports_itself_round_a_circle():
    assert cycles(module_graph()) == []


def test_no_room_reaches_back_into_a_room_that_reaches_it():
    assert cycles(room_graph(module_graph())) == []


def test_the_store_is_one_room_that_reads_only_the_job_cores_vocabulary():
    graph = module_graph()
    reached = {d for m, deps in graph.items() if m.startswith("r2v_ui.store") for d in deps}
    assert {d for d in reached if d.startswith("r2v_ui.jobs")} == {"r2v_ui.jobs.states"}
    assert not {d for d in graph["r2v_ui.jobs.states"] if d.startswith(("r2v_ui.jobs.", "r2v_ui.store"))}


def test_the_hub_holds_memory_only():
    deps = module_graph()["r2v_ui.jobs.hub"]
    assert not {d for d in deps if d.startswith("r2v_ui.store")}
