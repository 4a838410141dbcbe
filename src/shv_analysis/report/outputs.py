"""The report folder on disk: building it aside, installing it, provenance.

A report is built in a temporary sibling folder (`<out>.partial-<pid>`) and put in place of
`<out>` by two renames only when every section succeeded (`install`, which carries over files
no report wrote, such as a README); otherwise it goes to `<out>.failed/` (`keep_failed`).

Paths: the notebooks name the folder the report is installed in, not the build folder, in
every form papermill and Python write a path (`path_renamer`, `rename_folder`).

Provenance: `data_record` hashes the files a dataset was read from (never copies them);
`report_manifest` and `each_manifest` describe a report folder and an `--each` root.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from shv_analysis.coding.decisions import DECISIONS_NAME

#: Names that may sit in an output folder that is not (yet) a report folder.
ALLOWED_FOREIGN = ("readme", ".gitkeep", ".gitignore")


# ===================================================================== the output folder


def manifest_entries(folder: Path) -> set[str] | None:
    """Top-level names a report wrote into `folder`, or None when it is no report folder.

    Args:
        folder: a folder that may hold a `manifest.json` written by `shv report`.

    Returns:
        The manifest's `entries` as a set, or None when there is no readable manifest of
        shv-analysis.
    """
    manifest = folder / "manifest.json"
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("generator") != "shv-analysis":
        return None
    return set(data.get("entries", []))


def check_output_folder(out: Path) -> str | None:
    """Why `out` may not be replaced by a report (None when it may).

    A missing folder, a report folder, and a folder holding only a README, `.gitkeep` or
    `.gitignore` may be replaced; anything else is refused with a sentence naming its files.
    """
    if not out.exists():
        return None
    if not out.is_dir():
        return f"{out} exists and is not a folder"
    if manifest_entries(out) is not None:
        return None
    foreign = [p.name for p in out.iterdir() if not p.name.lower().startswith(ALLOWED_FOREIGN)]
    if foreign:
        held = ", ".join(sorted(foreign)[:5])
        return (
            f"{out} exists and is not a report folder (it holds {held}); choose a new "
            "or empty folder for --out"
        )
    return None


def _carry_over(old: Path, build: Path) -> None:
    """Copy entries of the old folder that no report wrote (e.g. a README) into the new one."""
    ours = manifest_entries(old) or set()
    for entry in old.iterdir():
        if entry.name in ours or (build / entry.name).exists():
            continue
        if entry.is_dir():
            shutil.copytree(entry, build / entry.name)
        else:
            shutil.copy2(entry, build / entry.name)


def install(build: Path, out: Path) -> None:
    """Put the finished build in place of `out` (renames only; old report removed after)."""
    old = None
    if out.exists():
        _carry_over(out, build)
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        os.rename(out, old)
    os.rename(build, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_stale_failed(out: Path) -> None:
    """Remove `<out>.failed/` left by an earlier run (only when a report wrote it)."""
    stale = out.with_name(f"{out.name}.failed")
    if stale.is_dir() and manifest_entries(stale) is not None:
        shutil.rmtree(stale, ignore_errors=True)


def keep_failed(build: Path, out: Path) -> Path:
    """Move the build of a failed report to `<out>.failed/` (replacing an older one).

    Returns:
        The `<out>.failed` folder, whose notebooks and HTML name it instead of `out`.
    """
    failed = out.with_name(f"{out.name}.failed")
    _rewrite_paths(build, out, failed)  # the workers named `out` (see tasks.run_task)
    _rewrite_paths(build, build, failed)  # a notebook a dead worker left behind
    if failed.exists():
        shutil.rmtree(failed)
    os.rename(build, failed)
    return failed


def files_under(folder: Path) -> list[str]:
    """Every file below `folder`, as sorted relative paths (`tables/x.csv`)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# ===================================================================== folder names in texts


def _path_forms(path: str) -> list[str]:
    """How a folder appears in an executed notebook: as papermill writes a string parameter
    into the injected cell (`unicode_escape`, quotes escaped), as Python's repr shows it, and
    as is (papermill metadata, printed output).
    """
    forms = [
        path.encode("unicode_escape").decode("ascii").replace('"', '\\"'),
        repr(path)[1:-1],
        path,
    ]
    return list(dict.fromkeys(forms))


def path_renamer(old: str, new: str, html_escaped: bool = False) -> Callable[[str], str]:
    """A function replacing folder `old` by `new` in a text, in every form of `_path_forms`,
    in one pass. Only whole folder names: `/x/rapport` does not match in `/x/rapport2`.

    Args:
        old: the folder to replace, as an absolute path string.
        new: its replacement.
        html_escaped: match the forms as `html.escape` writes them (for rendered HTML).
    """
    pairs = dict(zip(_path_forms(old), _path_forms(new)))
    if html_escaped:
        pairs = {html.escape(a): html.escape(b) for a, b in pairs.items()}
    # not followed by what continues a name: a letter, digit, '.', '-', or an escaped
    # non-ASCII letter (\xeb, \u0130) in the escaped form
    pattern = re.compile(
        "(?:" + "|".join(re.escape(a) for a in sorted(pairs, key=len, reverse=True)) + ")"
        r"(?![\w.\-]|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8})"
    )
    return lambda text: pattern.sub(lambda m: pairs[m.group(0)], text)


def rename_folder(node, old: str, new: str, _rename=None):
    """Replace folder `old` by `new` in every string of a notebook (in place; returns it).

    Args:
        node: a notebook (or any nest of dicts and lists of strings).
        old: the folder to replace.
        new: its replacement.
    """
    rename = _rename or path_renamer(old, new)
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if isinstance(value, str):
            node[key] = rename(value)
        elif isinstance(value, (dict, list)):
            rename_folder(value, old, new, rename)
    return node


def _rewrite_paths(folder: Path, old: Path, new: Path) -> None:
    """Executed notebooks and HTML under `folder` name `old`; make them name `new`.

    Notebooks are rewritten string by string. HTML is rewritten as text, which misses a path
    that syntax highlighting split into pieces (a non-ASCII or Windows path in the code
    view); it is used for the folder of a failed report only (a finished report's notebooks
    and HTML name their final folder from the start, see `tasks.run_task`).
    """
    import nbformat  # only for a failed report: the main process need not import it

    html_rename = path_renamer(str(old), str(new), html_escaped=True)
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            nbformat.write(rename_folder(nb, str(old), str(new)), path)
        elif path.suffix == ".html":
            text = path.read_text("utf-8")
            renamed = html_rename(text)
            if renamed != text:
                path.write_text(renamed, encoding="utf-8")


# ===================================================================== provenance


def data_files(path: Path) -> list[Path]:
    """The files a dataset is read from (for the manifest's hashes), never their content.

    Args:
        path: a dataset folder (tables `respondenten`/`experimenten` as CSV, XLSX or
            Parquet, `metadata.json`, the coding decisions) or one workbook.

    Returns:
        The files, sorted by name for a folder; a workbook and its decisions file.
    """
    if path.is_dir():
        names = {"respondenten", "experimenten"}
        files = [
            p
            for p in path.iterdir()
            if p.is_file()
            and (
                (p.stem.lower() in names and p.suffix.lower() in (".csv", ".xlsx", ".parquet"))
                or p.name in ("metadata.json", DECISIONS_NAME)
            )
        ]
        return sorted(files, key=lambda p: p.name)
    decisions = path.with_name(f"{path.stem}.{DECISIONS_NAME}")
    return [path] + ([decisions] if decisions.is_file() else [])


def sha256(path: Path) -> str:
    """The SHA-256 of a file as 64 hex digits (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_record(data_path: Path) -> dict:
    """`{"path": ..., "files": [{"name", "sha256", "bytes"}, ...]}` of a dataset."""
    return {
        "path": str(data_path),
        "files": [
            {"name": p.name, "sha256": sha256(p), "bytes": p.stat().st_size}
            for p in data_files(data_path)
        ],
    }


def _now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _public(parameters: dict) -> dict:
    return {k: v for k, v in parameters.items() if k != "output_dir"}


def report_manifest(
    report_dir: Path,
    *,
    version: str,
    status: str,
    data: dict,
    ds,
    sub,
    subset: str | None,
    lang: str,
    parameters: dict,
    kernel: dict,
    sections: list[dict],
) -> dict:
    """The manifest of one report folder, listing the folder's entries and files as they
    are now (plus `manifest.json` itself).

    Args:
        report_dir: the report folder, with everything but the manifest written.
        ds: the loaded Dataset; `sub` the subset the report shows (or `ds`).
        data: `data_record` of the dataset's files.
        kernel: `{"name": ..., "mode": "warm" | "isolated"}`.
        sections: one dict per section (name, title, status, seconds, error, files, ...).
    """
    manifest = {
        "generator": "shv-analysis",
        "version": version,
        "created_utc": _now_utc(),
        "status": status,
        "data": data,
        "dataset": {
            "name": ds.name,
            "synthetic": ds.synthetic,
            "respondenten": len(sub.respondenten),
            "experimenten": len(sub.experimenten),
        },
        "synthetic": ds.synthetic,
        "subset": subset,
        "lang": lang,
        "parameters": _public(parameters),
        "kernel": kernel,
        "sections": sections,
    }
    manifest["entries"] = sorted({p.name for p in report_dir.iterdir()} | {"manifest.json"})
    manifest["files"] = sorted(set(files_under(report_dir)) | {"manifest.json"})
    return manifest


def each_manifest(
    root: Path,
    *,
    version: str,
    status: str,
    each: str,
    data: dict,
    ds,
    lang: str,
    parameters: dict,
    reports: list[dict],
) -> dict:
    """The manifest of an `--each` root folder: one summary per report folder in `reports`."""
    manifest = {
        "generator": "shv-analysis",
        "version": version,
        "created_utc": _now_utc(),
        "status": status,
        "each": each,
        "data": data,
        "synthetic": ds.synthetic,
        "lang": lang,
        "parameters": _public(parameters),
        "reports": reports,
    }
    manifest["entries"] = sorted({p.name for p in root.iterdir()} | {"manifest.json"})
    return manifest


def write_json(path: Path, data: dict) -> None:
    """Write `data` as indented UTF-8 JSON with a final newline."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
