"""A process's memory of the datasets it loaded: `shv.load` of files that did not change
returns a copy of the dataset loaded before, instead of reading and coding them again.

Why: a warm report kernel runs every section notebook of a report (and of every `--each`
report) in one process, and each notebook loads the dataset, which costs 0.15 s for the
embedded data and more for a real workbook.

The key (`load_key`) is the arguments plus the size, modification and status-change times
(ns) and inode of every file that can change the result (the status-change time moves on
every write, also when a copy puts the old modification time back, as `cp -p` does):
- the dataset: a folder's entries; a workbook and the entries of its folder, where its
  coding decisions file lives;
- an explicit coding decisions file;
- the reference folder: an explicit one, or every folder searched for "auto".
A dataset whose files changed is read again. Arguments that are not a path, text, a whole
number or None (a `Reference` object, say) are never cached.

What is handed out is always a copy (`fresh_copy`): its own tables (pandas deep copies),
warnings list and metadata, so a notebook that changes its dataset changes no other
notebook's. `SHV_LOAD_CACHE=0` turns the cache off; `clear()` empties it.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Hashable
from dataclasses import replace
from pathlib import Path

from shv_analysis.ingest.dataset import Dataset
from shv_analysis.ingest.reference import candidate_dirs

ENV_VAR = "SHV_LOAD_CACHE"
MAX_ENTRIES = 4  # datasets kept, the least recently used dropped first

_CACHE: collections.OrderedDict[Hashable, Dataset] = collections.OrderedDict()


def _stat(path: Path) -> tuple:
    try:
        s = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino)


def _folder(path: Path) -> tuple:
    """The folder's own stat and that of each entry (not recursive), sorted by name."""
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return (str(path), None)
    return (_stat(path), *(_stat(Path(e.path)) for e in entries))


def _simple(value) -> bool:
    return value is None or isinstance(value, (str, int, os.PathLike))


def load_key(path, reference, decisions, indeling) -> tuple | None:
    """The cache key of `shv.load(path, reference, decisions, indeling)` (see the module
    doc), or None when the call is not cached (the cache is off, or an argument is not a
    path, text, whole number or None).
    """
    if os.environ.get(ENV_VAR, "1") == "0":
        return None
    if not all(_simple(v) for v in (path, reference, decisions, indeling)):
        return None
    data = Path(path).expanduser().resolve()
    files = _folder(data) if data.is_dir() else (_stat(data), _folder(data.parent))
    if isinstance(reference, str) and reference == "auto":
        ref = tuple(_folder(Path(d).expanduser()) for d in candidate_dirs())
    elif reference is None:
        ref = None
    else:
        ref = _folder(Path(reference).expanduser().resolve())
    if decisions is None or (isinstance(decisions, str) and decisions == "auto"):
        dec = decisions  # "auto": the file beside the data, in `files`
    else:
        dec = _stat(Path(decisions).expanduser().resolve())
    return (str(data), files, repr(reference), ref, dec, repr(indeling))


def fresh_copy(ds: Dataset) -> Dataset:
    """A copy of `ds` that shares no changeable part with it: deep copies of both tables, a
    new warnings list and metadata dict (codebook and division are not changed by anyone).
    """
    return replace(
        ds,
        respondenten=ds.respondenten.copy(deep=True),
        experimenten=ds.experimenten.copy(deep=True),
        warnings=list(ds.warnings),
        metadata=dict(ds.metadata),
    )


def cached_load(key: tuple | None, load: Callable[[], Dataset]) -> Dataset:
    """`load()`, or a copy of what it returned before for the same `key` (None: not cached).

    Errors are not cached: a dataset that failed to load is read again next time.
    """
    if key is None:
        return load()
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return fresh_copy(_CACHE[key])
    ds = load()
    _CACHE[key] = fresh_copy(ds)
    while len(_CACHE) > MAX_ENTRIES:
        _CACHE.popitem(last=False)
    return ds


def clear() -> None:
    """Forget every dataset loaded so far."""
    _CACHE.clear()
