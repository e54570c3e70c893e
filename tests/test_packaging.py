"""The pinning policy holds: requirements.txt and tests/requirements.txt say what pyproject.toml
says, every library has a range with an upper bound, and only protocol-bound packages are exact."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
EXACT_ON_PURPOSE = {"gradio", "playwright"}  # pyproject.toml's header says why


def _requirements(path: Path) -> dict[str, Requirement]:
    found = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            req = Requirement(line)
            found[req.name.lower()] = req
    return found


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def test_requirement_files_repeat_pyprojects_ranges():
    project = _pyproject()
    runtime = {Requirement(r).name.lower(): Requirement(r) for r in project["dependencies"]}
    test = {Requirement(r).name.lower(): Requirement(r) for r in project["optional-dependencies"]["test"]}
    assert {n: str(r) for n, r in _requirements(ROOT / "requirements.txt").items()} == {n: str(r) for n, r in runtime.items()}
    assert {n: str(r) for n, r in _requirements(ROOT / "tests" / "requirements.txt").items()} == {n: str(r) for n, r in test.items()}


def test_every_library_has_a_tested_upper_bound_and_only_protocol_pins_are_exact():
    project = _pyproject()
    every = [Requirement(r) for r in project["dependencies"]]
    every += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    for req in every:
        ops = {s.operator for s in req.specifier}
        if req.name in EXACT_ON_PURPOSE:
            assert ops == {"=="}, req
        else:
            assert "==" not in ops and "<" in ops and ">=" in ops, f"{req}: a compatible range, with an upper bound"


def test_unused_pins_are_gone():
    names = set(_requirements(ROOT / "requirements.txt")) | set(_requirements(ROOT / "tests" / "requirements.txt"))
    assert "python-multipart" not in names  # only Gradio uses it, and Gradio requires it itself
    assert "gradio-client" not in names  # Gradio pins its own client: a second pin can only disagree
