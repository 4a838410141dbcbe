"""environment.yml and pyproject.toml list the same dependencies; CI calls the README's command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _conda_deps() -> list[str]:
    """The conda dependencies and the pip section's packages (not `-e .`)."""
    deps, in_deps = [], False
    for line in (ROOT / "environment.yml").read_text("utf-8").splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
        elif in_deps and re.match(r"^  - [A-Za-z]", line):
            deps.append(line[4:].strip())
        elif in_deps and re.match(r"^      - [A-Za-z]", line):
            deps.append(line[8:].strip())
    return [d for d in deps if _name(d.rstrip(":")) not in ("python", "pip")]


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    pip_deps = project["dependencies"] + project["optional-dependencies"]["test"]
    assert sorted(_conda_deps()) == sorted(pip_deps)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "make test" in readme and "make test" in ci
    assert "make report" in readme


def test_no_reference_data_in_the_repository(reference):
    """The CBS reference files are read from outside; no tracked file copies them."""
    import hashlib
    import subprocess

    shared = {hashlib.sha256(p.read_bytes()).hexdigest() for p in reference.folder.iterdir()}
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split("\0")
    sample = ",".join(["GM0003", "Appingedam", "Groningen", "11721"])
    for name in filter(None, tracked):
        path = ROOT / name
        if path.is_file():
            data = path.read_bytes()
            assert hashlib.sha256(data).hexdigest() not in shared, name
            assert sample.encode() not in data, name
