"""Hostile and broken input: every input ends in valid data or the clean problem list.

`check_dataset` must never raise; when it reports errors each one is a `Problem` naming the
file; when it accepts the data no non-empty row has gone missing.
"""

from __future__ import annotations

import io
import string
import zipfile

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.validation import check_dataset
from variants import mini_tables, write_csv_folder, write_workbook

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD = [
    "\u00a0",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u202e",
    "\ufeff",
    "\t",
    "\r",
    "\n",
    "é",
    "ß",
    "=",
    "+",
    "-",
    "@",
    ";",
    ",",
    "|",
    '"',
    "'",
    "0",
    "1",
    "x",
    " ",
]
cells = st.one_of(
    st.text(alphabet=st.sampled_from(list(string.ascii_letters) + ODD), max_size=12),
    st.sampled_from(
        [
            "ja",
            "nee",
            "vroegsignalering",
            "GM0363",
            "363",
            "Amsterdam",
            "",
            "12-13-2019",
            "2019-02-30",
            "1e9",
            "-5",
            "3.5",
            "NaN",
            "None",
            "#N/A",
        ]
    ),
    st.integers(-(10**6), 10**12).map(str),
)
PILOT_COLUMNS = list(mini_tables()["experimenten"].columns)


def _assert_clean(result, rows_written: int | None = None) -> None:
    assert all(isinstance(p, Problem) and p.file and str(p) for p in result.errors)
    if result.ok:
        assert result.dataset is not None
        if rows_written is not None:
            assert len(result.dataset.experimenten) == rows_written


@FUZZ
@given(payload=st.binary(max_size=2000), which=st.sampled_from(["respondenten", "experimenten"]))
def test_random_bytes_as_csv(tmp_path_factory, payload, which):
    folder = write_csv_folder(mini_tables(), tmp_path_factory.mktemp("bytes"))
    (folder / f"{which}.csv").write_bytes(payload)
    _assert_clean(check_dataset(folder))


@FUZZ
@given(payload=st.binary(max_size=3000))
def test_random_bytes_as_workbook(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("wb") / "inventaris.xlsx"
    path.write_bytes(payload)
    result = check_dataset(path)
    assert not result.ok
    _assert_clean(result)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.floats(0.0, 1.0), kind=st.sampled_from(["csv", "xlsx"]))
def test_truncated_files(tmp_path_factory, cut, kind):
    base = tmp_path_factory.mktemp("trunc")
    if kind == "csv":
        folder = write_csv_folder(mini_tables(), base / "d")
        target = folder / "experimenten.csv"
        data = target.read_bytes()
        target.write_bytes(data[: int(len(data) * cut)])
        _assert_clean(check_dataset(folder))
    else:
        path = write_workbook(mini_tables(), base / "wb.xlsx")
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * cut)])
        _assert_clean(check_dataset(path))


@FUZZ
@given(
    rows=st.lists(
        st.lists(cells, min_size=len(PILOT_COLUMNS), max_size=len(PILOT_COLUMNS)),
        min_size=1,
        max_size=6,
    ),
    sep=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_cells_in_pilot_table(tmp_path_factory, rows, sep, encoding):
    tables = mini_tables()
    frame = pd.DataFrame(rows, columns=PILOT_COLUMNS)
    tables["experimenten"] = frame
    folder = tmp_path_factory.mktemp("cells")
    try:
        write_csv_folder(tables, folder, encoding=encoding, sep=sep)
    except UnicodeEncodeError:
        return  # not representable in Windows-1252: such a file cannot exist
    nonempty = int(
        frame.apply(
            lambda r: any(str(v).strip(" \t\r\n\u00a0\u200b\ufeff") for v in r), axis=1
        ).sum()
    )
    result = check_dataset(folder)
    _assert_clean(result, rows_written=None)
    if result.ok:
        # every record that had any content is there (blank-looking rows may be skipped,
        # with a warning)
        assert (
            len(result.dataset.experimenten)
            >= nonempty - sum(1 for w in result.warnings if "empty row" in w.message) - 1
        )


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                cells, st.integers(-5, 10**6), st.floats(allow_nan=True), st.booleans(), st.none()
            ),
            min_size=len(PILOT_COLUMNS),
            max_size=len(PILOT_COLUMNS),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_random_typed_cells_in_workbook(tmp_path_factory, rows):
    """Numbers where text is expected and the reverse, booleans, empty cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "respondenten"
    for row in [list(mini_tables()["respondenten"].columns)] + mini_tables()[
        "respondenten"
    ].values.tolist():
        ws.append(row)
    ws = wb.create_sheet("experimenten")
    ws.append(PILOT_COLUMNS)
    for row in rows:
        ws.append([None if isinstance(v, float) and v != v else v for v in row])
    path = tmp_path_factory.mktemp("typed") / "wb.xlsx"
    try:
        wb.save(path)
    except Exception:  # openpyxl refuses some control characters: not a file Excel makes
        return
    _assert_clean(check_dataset(path))


def test_workbook_without_sheets(tmp_path):
    path = tmp_path / "leeg.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    path.write_bytes(buffer.getvalue())
    result = check_dataset(path)
    assert not result.ok and result.errors[0].file == "leeg.xlsx"


def test_duplicate_headers_are_named(tmp_path):
    tables = mini_tables()
    frame = tables["experimenten"]
    frame.insert(5, "Type ", frame["type"])
    folder = write_csv_folder(tables, tmp_path / "dup")
    errors = check_dataset(folder).errors
    assert any(e.row == 1 and "duplicate column header" in e.message for e in errors)


def test_formula_and_merged_cells(tmp_path):
    path = write_workbook(mini_tables(), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["experimenten"]
    ws["E2"] = '=IF(1,"vroegsignalering","overig")'  # type of P1: formula, no cached value
    ws.merge_cells("M3:M4")  # overdraagbaar of P2 and P3 merged: P3 shows P2's value
    wb.save(path)
    result = check_dataset(path)
    messages = {}
    for e in result.errors:
        messages.setdefault((e.row, e.column), []).append(e.message)
    assert any("formula without a stored result" in m for m in messages[(2, "type")])
    assert (4, "overdraagbaar") not in messages
    (merged,) = [w for w in result.warnings if "merged cells" in w.message]
    assert (merged.row, merged.column) == (3, "overdraagbaar") and "M3:M4" in merged.message


def test_odd_unicode_in_codes_and_ids(tmp_path):
    tables = mini_tables()
    exp = tables["experimenten"]
    exp.loc[0, "type"] = "\u200evroegsignalering\u200b"
    exp.loc[1, "respondent_id"] = "R1\u00a0"
    exp.loc[2, "fasen"] = "curatie\u00a0;\u202enazorg"
    tables["respondenten"].loc[0, "respondent_id"] = "\ufeffR1"
    result = check_dataset(write_csv_folder(tables, tmp_path / "uni"))
    assert result.ok, [str(e) for e in result.errors]
    pilots = result.dataset.experimenten.set_index("pilot_id")
    assert pilots.loc["P1", "type"] == "vroegsignalering"
    assert pilots.loc["P2", "respondent_id"] == "R1"
    assert pilots.loc["P3", "fasen__nazorg"]


def test_huge_cell_is_reported_shortened(tmp_path):
    tables = mini_tables()
    tables["experimenten"].loc[0, "type"] = "x" * 1_000_000
    (error,) = check_dataset(write_csv_folder(tables, tmp_path / "huge")).errors
    assert len(str(error)) < 600 and error.row == 2


# ---------------------------------------------------------------- kinds of real-world input
# Each strategy generates one kind of input people really send (issue 11); the expected
# value is computed from what was generated, not "it ran".

KINDS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _workbook(tables, path):
    from variants import write_workbook as _write

    return _write(tables, path, extra_sheet=False)


whole_numbers = st.integers(0, 10**6).flatmap(
    lambda n: st.tuples(st.just(n), st.sampled_from([n, float(n), str(n), f"{n}.0"]))
)
flags = st.sampled_from(
    [
        (True, True),
        (False, False),
        (True, 1),
        (False, 0),
        (True, 1.0),
        (False, 0.0),
        (True, "1.0"),
        (False, "0.0"),
        (True, "ja"),
    ]
)
stamps = st.datetimes(
    min_value=__import__("datetime").datetime(1990, 1, 1),
    max_value=__import__("datetime").datetime(2035, 12, 31),
)


@KINDS
@given(number=whole_numbers, flag=flags, stamp=stamps)
def test_typed_cells_mean_what_they_display(tmp_path_factory, number, flag, stamp):
    path = _workbook(mini_tables(), tmp_path_factory.mktemp("typed") / "wb.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["experimenten"]["O2"] = number[1]  # omvang of P1
    wb["experimenten"]["L2"] = flag[1]  # doelen_geformuleerd of P1
    wb["respondenten"]["E2"] = stamp  # gespreksdatum of R1, with a time of day
    wb["respondenten"]["E2"].number_format = "dd-mm-yyyy"
    wb.save(path)
    result = check_dataset(path)
    assert result.ok, [str(e) for e in result.errors]
    pilot = result.dataset.experimenten.iloc[0]
    assert int(pilot["omvang"]) == number[0]
    assert bool(pilot["doelen_geformuleerd"]) is flag[0]
    assert result.dataset.respondenten.loc[0, "gespreksdatum"].date() == stamp.date()


@KINDS
@given(first=st.integers(2, 6), length=st.integers(2, 6))
def test_merged_ranges_hold_for_every_row(tmp_path_factory, first, length):
    last = min(first + length - 1, 7)
    path = _workbook(mini_tables(), tmp_path_factory.mktemp("merged") / "wb.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["experimenten"]
    ws[f"H{first}"] = "overig"  # partners (no pilot of the mini inventory has 'overig')
    ws.merge_cells(f"H{first}:H{last}")
    wb.save(path)
    result = check_dataset(path)
    assert result.ok, [str(e) for e in result.errors]
    pilots = result.dataset.experimenten
    ticked = pilots.loc[pilots["partners__overig"], "_rij"].tolist()
    assert ticked == list(range(first, last + 1))
    (merged,) = [w for w in result.warnings if "merged cells" in w.message]
    assert f"H{first}:H{last}" in merged.message and merged.row == first


@KINDS
@given(
    rows=st.integers(1, 12),
    column=st.sampled_from(list("ABCHOZ")),
    which=st.sampled_from(["sheet1", "sheet2"]),
)
def test_stale_dimensions_never_lose_rows(tmp_path_factory, rows, column, which):
    import re as _re

    path = _workbook(mini_tables(), tmp_path_factory.mktemp("dim") / "wb.xlsx")
    member = f"xl/worksheets/{which}.xml"
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in items:
            if info.filename == member:
                data = _re.sub(
                    rb'<dimension ref="[^"]*"\s*/>',
                    f'<dimension ref="A1:{column}{rows}"/>'.encode(),
                    data,
                )
            zout.writestr(info, data)
    result = check_dataset(path)
    assert result.ok, [str(e) for e in result.errors]
    assert (len(result.dataset.respondenten), len(result.dataset.experimenten)) == (5, 6)


@KINDS
@given(
    sep=st.sampled_from([",", ";", "\t", "|"]),
    quoted=st.booleans(),
    bom=st.booleans(),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_hint_lines_set_or_refuse_the_delimiter(tmp_path_factory, sep, quoted, bom, newline):
    folder = tmp_path_factory.mktemp("hint")
    hint = f'"sep={sep}"' if quoted else f"sep={sep}"
    for name, frame in mini_tables().items():
        body = frame.to_csv(index=False, sep=sep, lineterminator=newline)
        data = (hint + newline + body).encode("utf-8")
        (folder / f"{name}.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    result = check_dataset(folder)
    if sep in ",;":
        assert result.ok, [str(e) for e in result.errors]
        assert result.dataset.experimenten["_rij"].tolist() == list(range(2, 8))
    else:
        assert len(result.errors) == 2  # one per file, naming the delimiter
        name = "tab" if sep == "\t" else "'|'"
        assert all(f"names {name} as delimiter" in e.message for e in result.errors)


@KINDS
@given(
    bad=st.sets(st.integers(0, 5)),
    char=st.sampled_from(list("éëöüïèàç")),
    sep=st.sampled_from([",", ";"]),
)
def test_mixed_encodings_name_their_rows(tmp_path_factory, bad, char, sep):
    tables = mini_tables()
    exp = tables["experimenten"]
    exp.loc[:, "titel"] = [f"Titel {i} ñ" for i in range(len(exp))]  # UTF-8 everywhere
    folder = write_csv_folder(tables, tmp_path_factory.mktemp("enc"), sep=sep)
    file = folder / "experimenten.csv"
    lines = file.read_bytes().split(b"\n")
    for i in bad:  # data row i is file line i + 1 and spreadsheet row i + 2
        lines[i + 1] = lines[i + 1].replace(
            f"Titel {i} ".encode(), f"Titel {i} {char}".encode("cp1252")
        )
    file.write_bytes(b"\n".join(lines))
    result = check_dataset(folder)
    if not bad:
        assert result.ok and result.dataset.experimenten["titel"].str.endswith("ñ").all()
        return
    (error,) = result.errors
    rows = sorted(i + 2 for i in bad)
    assert error.row == rows[0] and error.column == "titel"
    assert f"row(s) {', '.join(map(str, rows))} " in error.message
    assert error.value == f"Titel {rows[0] - 2} {char}ñ"


OFFICIAL = [
    ("'s-Gravenhage", "GM0518"),
    ("Súdwest-Fryslân", "GM1900"),
    ("Nuenen, Gerwen en Nederwetten", "GM0820"),
    ("Bergen (NH.)", "GM0373"),
    ("Bergen (L.)", "GM0893"),
    ("Alphen aan den Rijn", "GM0484"),
    ("Noardeast-Fryslân", "GM1970"),
    ("Hengelo", "GM0164"),
]


@st.composite
def name_variant(draw):
    name, code = draw(st.sampled_from(OFFICIAL))
    case = draw(st.sampled_from([str, str.upper, str.lower, str.title]))
    text = case(name)
    text = text.replace("'", draw(st.sampled_from(["'", "\u2019", "\u2018", "\u02bc"])))
    text = text.replace("-", draw(st.sampled_from(["-", "\u2013", "\u2011", " "])))
    text = text.replace(" ", draw(st.sampled_from([" ", "\u00a0", "  ", " \u200b"])))
    return text, code


@KINDS
@given(
    names=st.lists(name_variant(), min_size=1, max_size=3),
    seps=st.lists(st.sampled_from([";", "; ", " | ", "\n", ", "]), min_size=2, max_size=2),
)
def test_name_variants_resolve(reference, tmp_path_factory, names, seps):
    cell = names[0][0]
    for (text, _), sep in zip(names[1:], seps):
        cell += sep + text
    tables = mini_tables()
    tables["respondenten"].loc[3, "gemeentecodes"] = cell
    result = check_dataset(write_csv_folder(tables, tmp_path_factory.mktemp("names")))
    assert result.ok, (cell, [str(e) for e in result.errors])
    assert result.dataset.respondenten.loc[3, "gemeentecodes"] == ";".join(
        sorted({code for _, code in names})
    )


PROVINCES = [
    "Drenthe",
    "Flevoland",
    "Friesland",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
]


@KINDS
@given(
    province=st.sampled_from(PROVINCES + ["Fryslân"]),
    case=st.sampled_from([str, str.upper, str.lower]),
    dash=st.sampled_from(["-", " ", "\u2013", ""]),
)
def test_province_variants_take_the_reference_spelling(
    reference, tmp_path_factory, province, case, dash
):
    typed = case(province).replace("-", dash)
    tables = mini_tables()
    tables["respondenten"]["provincie"] = [typed, "", "", "", ""]
    result = check_dataset(write_csv_folder(tables, tmp_path_factory.mktemp("prov")))
    assert result.ok, [str(e) for e in result.errors]
    expected = "Friesland" if province == "Fryslân" else province
    assert result.dataset.respondenten.loc[0, "provincie"] == expected
    notes = [w for w in result.warnings if w.column == "provincie"]
    assert [(w.row, w.value) for w in notes] == ([] if typed == expected else [(2, typed)])
