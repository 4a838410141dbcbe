"""Shared fixtures: the reference folder (../shared/reference) and the mini inventory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shv_analysis.ingest.reference import find_reference_dir, load_reference

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def reference():
    """The CBS reference tables; tests and CI read them from ../shared/reference."""
    folder = find_reference_dir()
    if folder is None:
        pytest.fail(
            "reference tables not found: expected ../shared/reference beside the checkout "
            "or $SHV_REFERENCE_DIR"
        )
    return load_reference(folder)


@pytest.fixture
def no_reference(monkeypatch, tmp_path):
    """Make every default reference folder invisible."""
    import shv_analysis.ingest.reference as ref

    monkeypatch.setenv(ref.ENV_VAR, str(tmp_path / "nothing"))
    monkeypatch.setattr(ref, "candidate_dirs", lambda: [tmp_path / "nothing"])
    ref._load.cache_clear()
    yield
    ref._load.cache_clear()
