"""A wheel built from the checkout works anywhere: installed into a bare folder (no checkout,
no editable install on the path first), `python -m shv_analysis report` reads the embedded
dataset, the notebooks and the templates from that folder (about a minute on two cores).

The sources are copied aside first, so the build leaves nothing (build/, *.egg-info) in the
checkout and no file left in build/ by an earlier build can slip into the wheel."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shv_analysis.config import NOTEBOOK_DIR

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parent.parent


def _can_build_without_isolation() -> bool:
    """setuptools >= 68 with a bdist_wheel command (its own or the wheel package's)."""
    try:
        import setuptools
    except ImportError:
        return False
    major = int(setuptools.__version__.split(".", 1)[0])
    if major < 68:
        return False
    try:
        import setuptools.command.bdist_wheel  # noqa: F401 - setuptools >= 70.1
    except ImportError:
        try:
            import wheel  # noqa: F401
        except ImportError:
            return False
    return True


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
    )
    isolation = ["--no-build-isolation"] if _can_build_without_isolation() else []
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            *isolation,
            "-q",
            "-w",
            str(work / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = (work / "dist").glob("shv_analysis-*.whl")
    return built


def test_wheel_holds_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = {f"shv_analysis/notebooks/{p.name}" for p in NOTEBOOK_DIR.glob("*.ipynb")}
    assert len(notebooks) == 7 and notebooks <= names
    assert {
        "shv_analysis/data/synthetic/respondenten.csv",
        "shv_analysis/data/synthetic/experimenten.csv",
        "shv_analysis/data/synthetic/metadata.json",
        "shv_analysis/data/published/published_figures.csv",
        "shv_analysis/messages/nl.toml",
        "shv_analysis/messages/en.toml",
        "shv_analysis/templates/section/conf.json",
        "shv_analysis/templates/section/index.html.j2",
        "shv_analysis/templates/index/page.html.j2",
        "shv_analysis/templates/index/report.html.j2",
        "shv_analysis/templates/index/each.html.j2",
        "shv_analysis/templates/index/single.html.j2",
        "shv_analysis/templates/pdf/report.typ",
    } <= names
    assert not [n for n in names if "data/reference" in n or n.startswith("tests/")]
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[papermill.engine]\nshv = shv_analysis.report.engine:WarmEngine" in text


def test_report_from_the_installed_wheel(wheel, tmp_path):
    target = tmp_path / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SHV_"))}
    env["PYTHONPATH"] = str(target)  # not the checkout's src/ a test run may have set
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import shv_analysis, shv_analysis.config as c; "
            "print(shv_analysis.__file__); print(c.PROJECT_ROOT)",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    package_file, project_root = where.stdout.split()
    assert Path(package_file).is_relative_to(target), package_file
    assert project_root == "None"  # an installed wheel is no checkout

    out = tmp_path / "rapport"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "shv_analysis",
            "report",
            "--out",
            str(out),
            "--sections",
            "02,04",
            "--jobs",
            "1",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert (out / "index.html").is_file() and (out / "tables.xlsx").is_file()
    with open(
        out / "tables" / "02_kenmerken__experimenten_type.csv", encoding="utf-8-sig"
    ) as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    assert rows["vroegsignalering"]["n"] == "65" and rows["vroegsignalering"]["Basis"] == "143"
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert [s["status"] for s in manifest["sections"]] == ["ok", "ok"]
    # the embedded dataset and the notebooks were read from the installed wheel
    assert Path(manifest["data"]["path"]) == target / "shv_analysis" / "data" / "synthetic"
    executed = json.loads((out / "notebooks" / "02_kenmerken.ipynb").read_text("utf-8"))
    assert (
        Path(executed["metadata"]["papermill"]["input_path"])
        == target / "shv_analysis" / "notebooks" / "02_kenmerken.ipynb"
    )
    assert not list(elsewhere.iterdir())  # nothing written in the working directory
