"""Two `shv report` runs on the same input give the same report (issue 7.4).

Compared between the runs: the list of files; every CSV, JSON sidecar, PNG, SVG and HTML
file byte for byte; `tables.xlsx` byte for byte and its cell values sheet by sheet; the
executed notebooks cell by cell, outputs included (images as base64), once timing metadata
is left out; `manifest.json` without `created_utc` and the seconds; `index.html`, the single
file `rapport.html` and `rapport.pdf` byte for byte (both runs pin SOURCE_DATE_EPOCH, so a
run across midnight cannot change the report date).

The runs differ on purpose in what must not matter: the number of workers (so notebooks
meet a warm kernel in a different order: `--jobs 2` against `--jobs 1`) and the hash salt
of every process (PYTHONHASHSEED 1 against 2, inherited by workers and kernels, so set and
dict orders of strings differ). Both runs write to the same --out path (the first is moved
aside), as the folder is a parameter of the notebooks and so part of the input; its name has
a space and a non-ASCII letter, which papermill escapes in the injected cell (the notebooks
and HTML must name that folder, not the temporary build folder with its process id).

Datasets: the mini fixture with every section (with maps, as the reference folder of the
checkout is found; about 35 s on two cores, the two report runs), and, with
SHV_TEST_EMBEDDED=1, also the embedded synthetic dataset for section 02 (bar charts of the
larger tables, the map of the dominant type, the synthetic notice in tables, figures and the
map; about 15 s more)."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
import zipfile
from pathlib import Path

# jsonschema (under nbformat) would build an IRI grammar for ~3 s; unused here.
sys.modules.setdefault("rfc3987_syntax", None)
import nbformat  # noqa: E402
import openpyxl  # noqa: E402
import pytest  # noqa: E402

from shv_analysis.cli import main as shv_main  # noqa: E402
from shv_analysis.report.outputs import path_renamer, rename_folder  # noqa: E402
from shv_analysis.report.tasks import INJECTED_TAG, fix_injected_cell_id  # noqa: E402

pytestmark = pytest.mark.notebooks

MINI = Path(__file__).parent / "fixtures" / "mini"
BYTE_IDENTICAL = (".csv", ".json", ".png", ".svg", ".html", ".xlsx", ".pdf")
TIMING_KEYS = {"start_time", "end_time", "duration"}  # papermill, notebook and cell level
MANIFEST_TIMING = {"created_utc", "seconds", "execute_seconds", "render_seconds"}


def _twice(tmp_path_factory, monkeypatch_module, name: str, args: list[str]):
    """Run `shv report ARGS --out "<work>/rapport ë"` twice (hash seeds 1 and 2, --jobs 2
    and 1), moving each result aside; return both folders."""
    work = tmp_path_factory.mktemp(name)
    out = work / "rapport ë"
    folders = []
    monkeypatch_module.setenv("SOURCE_DATE_EPOCH", "1767312000")  # 2 January 2026
    for run, (seed, jobs) in enumerate((("1", "2"), ("2", "1"))):
        monkeypatch_module.setenv("PYTHONHASHSEED", seed)
        assert shv_main(["report", *args, "--out", str(out), "--jobs", jobs]) == 0
        kept = work / f"run{run}"
        out.rename(kept)
        folders.append(kept)
    return tuple(folders)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def mini_runs(tmp_path_factory, monkeypatch_module):
    return _twice(tmp_path_factory, monkeypatch_module, "mini", ["--data", str(MINI)])


@pytest.fixture(scope="module")
def embedded_runs(tmp_path_factory, monkeypatch_module):
    return _twice(tmp_path_factory, monkeypatch_module, "embedded", ["--sections", "02"])


@pytest.fixture(
    params=[
        "mini",
        pytest.param(
            "embedded",
            marks=pytest.mark.skipif(
                not os.environ.get("SHV_TEST_EMBEDDED"), reason="set SHV_TEST_EMBEDDED=1 (+15 s)"
            ),
        ),
    ]
)
def runs(request):
    return request.getfixturevalue(f"{request.param}_runs")


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _without_timing(node):
    """A notebook's JSON without timing metadata (papermill's and nbclient's)."""
    nb = copy.deepcopy(node)
    nb["metadata"].get("papermill", {}).update({k: None for k in TIMING_KEYS})
    for cell in nb["cells"]:
        meta = cell.get("metadata", {})
        meta.pop("execution", None)  # iopub / shell timestamps of nbclient
        if "papermill" in meta:
            meta["papermill"] = {k: v for k, v in meta["papermill"].items() if k not in TIMING_KEYS}
    return nb


def _manifest_without_timing(data):
    if isinstance(data, dict):
        return {k: _manifest_without_timing(v) for k, v in data.items() if k not in MANIFEST_TIMING}
    if isinstance(data, list):
        return [_manifest_without_timing(v) for v in data]
    return data


# ------------------------------------------------------------------ the comparisons


def test_same_files(runs):
    a, b = runs
    assert _files(a) == _files(b)
    assert any(name.startswith("figures/") and "kaart" in name for name in _files(a))


def test_tables_figures_html_and_workbook_are_byte_identical(runs):
    a, b = runs
    checked = 0
    for name in _files(a):
        if name == "manifest.json" or not name.endswith(BYTE_IDENTICAL):
            continue
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
        checked += 1
    kinds = {Path(n).suffix for n in _files(a)}
    assert {".csv", ".png", ".svg", ".html", ".xlsx"} <= kinds and checked > 10
    assert {"index.html", "rapport.html"} <= set(_files(a))
    if importlib.util.find_spec("typst"):
        assert "rapport.pdf" in _files(a)


def test_workbook_cell_values_sheet_by_sheet(runs):
    a, b = runs
    wa = openpyxl.load_workbook(a / "tables.xlsx")
    wb = openpyxl.load_workbook(b / "tables.xlsx")
    assert wa.sheetnames == wb.sheetnames and len(wa.sheetnames) > 2
    for name in wa.sheetnames:
        va = [[(c.value, c.data_type) for c in row] for row in wa[name].iter_rows()]
        vb = [[(c.value, c.data_type) for c in row] for row in wb[name].iter_rows()]
        assert va == vb, name
    with zipfile.ZipFile(a / "tables.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_notebooks_identical_but_for_timing(runs):
    a, b = runs
    names = [n for n in _files(a) if n.endswith(".ipynb")]
    assert names
    images = 0
    for name in names:
        na = json.loads((a / name).read_text("utf-8"))
        nb = json.loads((b / name).read_text("utf-8"))
        ca, cb = _without_timing(na), _without_timing(nb)
        assert ca["metadata"] == cb["metadata"], name
        assert len(ca["cells"]) == len(cb["cells"]), name
        for i, (x, y) in enumerate(zip(ca["cells"], cb["cells"])):
            assert x == y, f"{name} cell {i}"  # id, source, outputs (base64 images too)
            images += sum(
                "data:image/svg+xml;base64," in "".join(o.get("data", {}).get("text/html", ""))
                for o in x.get("outputs", [])
            )
        assert ca == cb, name
    assert images > 0


def test_manifest_identical_but_for_timing(runs):
    a, b = runs
    ma = json.loads((a / "manifest.json").read_text("utf-8"))
    mb = json.loads((b / "manifest.json").read_text("utf-8"))
    assert _manifest_without_timing(ma) == _manifest_without_timing(mb)


def test_index_shows_the_pinned_report_date(runs):
    a, _ = runs
    assert '<p class="meta">Datum: 2 januari 2026</p>' in (a / "index.html").read_text("utf-8")
    assert json.loads((a / "manifest.json").read_text("utf-8"))["report_date"] == "2026-01-02"


def test_injected_parameters_cell_has_a_fixed_id(mini_runs):
    a, _ = mini_runs
    nb = nbformat.read(a / "notebooks" / "01_overzicht.ipynb", as_version=4)
    injected = [c for c in nb.cells if INJECTED_TAG in c.metadata.get("tags", [])]
    assert [c.id for c in injected] == [INJECTED_TAG]
    assert f'id="cell-id={INJECTED_TAG}"' in (a / "html" / "01_overzicht.html").read_text("utf-8")


def test_fix_injected_cell_id_keeps_ids_unique():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1", id=INJECTED_TAG),
            nbformat.v4.new_code_cell("x = 2", metadata={"tags": [INJECTED_TAG]}),
        ]
    )
    fix_injected_cell_id(nb)
    assert [c.id for c in nb.cells] == [INJECTED_TAG, f"{INJECTED_TAG}-2"]
    nbformat.validate(nb)


def test_no_build_folder_named_anywhere(runs):
    a, _ = runs
    out = str(a.parent / "rapport ë")
    for name in _files(a):
        text = (a / name).read_bytes().decode("utf-8", errors="replace")
        assert ".partial-" not in text, name
    nb = nbformat.read(next(a.glob("notebooks/*.ipynb")), as_version=4)
    assert nb.metadata.papermill.parameters.output_dir == out
    injected = next(c for c in nb.cells if INJECTED_TAG in c.metadata.get("tags", []))
    assert 'output_dir = "' + out.encode("unicode_escape").decode() + '"' in injected.source


@pytest.mark.parametrize(
    "old, new",
    [
        ("/tmp/x/rapport ë.partial-12", "/tmp/x/rapport ë"),
        ("C:\\Users\\Zoë\\rapport.partial-12", "C:\\Users\\Zoë\\rapport"),
        ('/tmp/"quoted".partial-12', '/tmp/"quoted"'),
    ],
)
def test_rename_folder_in_every_form(old, new):
    from papermill.translators import PythonTranslator

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                PythonTranslator.codify({"output_dir": old}), metadata={"tags": [INJECTED_TAG]}
            ),
            nbformat.v4.new_code_cell(
                "print(repr(output_dir))",
                outputs=[
                    nbformat.v4.new_output("stream", text=repr(old) + "\n" + old + "/tables/x.csv")
                ],
            ),
        ],
        metadata={"papermill": {"parameters": {"output_dir": old}}},
    )
    rename_folder(nb, old, new)
    assert nb.cells[0].source == PythonTranslator.codify({"output_dir": new})
    assert nb.cells[1].outputs[0].text == repr(new) + "\n" + new + "/tables/x.csv"
    assert nb.metadata.papermill.parameters.output_dir == new


def test_rename_only_whole_folder_names():
    rename = path_renamer("/x/rapport", "/x/rapport.failed")
    assert (
        rename("/x/rapport/a /x/rapport2 /x/rapport.old /x/rapport")
        == "/x/rapport.failed/a /x/rapport2 /x/rapport.old /x/rapport.failed"
    )
    # papermill's escaped form of /x/rapportë (another folder) is not renamed either
    assert (
        rename('"/x/rapport\\xeb/a" "/x/rapport/a"') == '"/x/rapport\\xeb/a" "/x/rapport.failed/a"'
    )


def test_failed_report_folder_is_named_in_its_notebooks_and_html(tmp_path):
    from papermill.translators import PythonTranslator

    from shv_analysis.report.outputs import _rewrite_paths

    out, failed = "/data/rapport ë", "/data/rapport ë.failed"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                PythonTranslator.codify({"output_dir": out, "data": "/data/rapport ë2/x.xlsx"}),
                metadata={"tags": [INJECTED_TAG]},
            )
        ],
        metadata={"papermill": {"parameters": {"output_dir": out}}},
    )
    nbformat.write(nb, tmp_path / "s.ipynb")
    (tmp_path / "s.html").write_text(f"<p>{out}/figures</p><p>{out}2</p>", encoding="utf-8")
    _rewrite_paths(tmp_path, out, failed)
    back = nbformat.read(tmp_path / "s.ipynb", as_version=4)
    assert back.metadata.papermill.parameters.output_dir == failed
    assert back.cells[0].source == PythonTranslator.codify(
        {"output_dir": failed, "data": "/data/rapport ë2/x.xlsx"}
    )
    assert (tmp_path / "s.html").read_text("utf-8") == f"<p>{failed}/figures</p><p>{out}2</p>"
