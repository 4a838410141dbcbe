"""`shv.load` remembers what it loaded (`ingest.load_cache`): the same unchanged files give a
copy of the dataset without reading them again; changed files are read again; what is handed
out is never shared."""

from __future__ import annotations

import os
import shutil

import pytest

import shv_analysis as shv
from shv_analysis.ingest import load_cache, validation
from variants import MINI


@pytest.fixture
def counted(monkeypatch):
    """The number of times the files were really read and coded."""
    calls = []
    real = validation.load

    def load(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(shv, "_load", load)
    monkeypatch.delenv(load_cache.ENV_VAR, raising=False)
    load_cache.clear()
    yield calls
    load_cache.clear()


def test_unchanged_files_are_read_once_and_every_load_is_its_own_copy(counted, tmp_path):
    folder = shutil.copytree(MINI, tmp_path / "mini")
    first = shv.load(folder)
    second = shv.load(str(folder))  # the same folder, as text
    subset = shv.load(folder, subset="respondenttype=g4_g40")
    assert len(counted) == 1
    assert second.experimenten.equals(first.experimenten)
    assert second.warnings == first.warnings and second.metadata == first.metadata
    assert list(subset.respondenten["respondenttype"].unique()) == ["g4_g40"]
    # a notebook that changes its dataset changes no other notebook's
    second.experimenten.loc[:, "titel"] = "veranderd"
    second.warnings.clear()
    second.metadata["name"] = "anders"
    third = shv.load(folder)
    assert len(counted) == 1
    assert third.experimenten["titel"].tolist() == first.experimenten["titel"].tolist()
    assert "veranderd" not in third.experimenten["titel"].tolist()
    assert third.warnings == first.warnings and "name" not in third.metadata


def test_a_changed_or_added_file_is_read_again(counted, tmp_path):
    folder = shutil.copytree(MINI, tmp_path / "mini")
    assert shv.load(folder).experimenten.loc[0, "titel"] == "Vroeg Eropaf"
    csv = folder / "experimenten.csv"
    csv.write_text(csv.read_text("utf-8").replace("Vroeg Eropaf", "Vroeg Erop"), "utf-8")
    stat = csv.stat()
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # even within a tick
    assert shv.load(folder).experimenten.loc[0, "titel"] == "Vroeg Erop"
    assert len(counted) == 2
    # the same size and the old modification time put back (as `cp -p` does): still a change
    before = csv.stat()
    csv.write_text(csv.read_text("utf-8").replace("Vroeg Erop", "Vroeg Xrop"), "utf-8")
    os.utime(csv, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert csv.stat().st_size == before.st_size
    assert shv.load(folder).experimenten.loc[0, "titel"] == "Vroeg Xrop"
    assert len(counted) == 3
    # a coding decisions file put beside the data is a change too
    (folder / "beslissingen.csv").write_text("pilot_id,field,code,coder,date,note\n", "utf-8")
    shv.load(folder)
    assert len(counted) == 4
    # another division is another dataset
    shv.load(folder, indeling=2019)
    assert len(counted) == 5


def test_off_by_environment_and_errors_are_not_remembered(counted, tmp_path, monkeypatch):
    folder = shutil.copytree(MINI, tmp_path / "mini")
    monkeypatch.setenv(load_cache.ENV_VAR, "0")
    shv.load(folder)
    shv.load(folder)
    assert len(counted) == 2
    monkeypatch.delenv(load_cache.ENV_VAR)
    bad = tmp_path / "bad"
    bad.mkdir()
    for _ in range(2):
        with pytest.raises(shv.InvalidDataset):
            shv.load(bad)
    assert len(counted) == 4
