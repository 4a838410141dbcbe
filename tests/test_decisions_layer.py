"""Coding decisions reach the loader from above: `ingest` never imports `coding`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import shv_analysis as shv
from shv_analysis.cli import main
from shv_analysis.coding import decisions as coding_decisions
from shv_analysis.coding import intake
from shv_analysis.contract.problems import InvalidDataset
from shv_analysis.ingest import validation

PACKAGE = Path(shv.__file__).parent
# What the ingest layer may import from the package: the layers below it and itself.
INGEST_MAY_IMPORT = (
    "shv_analysis.config",
    "shv_analysis._lazy",
    "shv_analysis.text",
    "shv_analysis.contract",
    "shv_analysis.ingest",
)


def _imports(path: Path, package: str | None = None) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, imported names) of every import in a file, also inside functions, and
    of every importlib.import_module / __import__ call with a literal module name. Relative
    imports are resolved against `package` (default: the file's own package)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    if package is None:
        package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative import: resolve against the file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            names = tuple(alias.name for alias in node.names)
            found.append((node.lineno, module, names))
            # `from shv_analysis import coding` imports the subpackage too
            found += [(node.lineno, f"{module}.{n}", ()) for n in names]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
        ):
            found.append((node.lineno, node.args[0].value, ()))
    return found


def test_ingest_imports_nothing_from_coding_not_even_inside_functions():
    files = sorted((PACKAGE / "ingest").glob("*.py"))
    assert {f.name for f in files} >= {"readers.py", "reference.py", "validation.py", "dataset.py"}
    offending = [
        f"{f.name}:{line}: {module}"
        for f in files
        for line, module, _ in _imports(f)
        if module == "shv_analysis.coding" or module.startswith("shv_analysis.coding.")
    ]
    assert offending == []
    upward = [
        f"{f.name}:{line}: {module}"
        for f in files
        for line, module, _ in _imports(f)
        if module.startswith("shv_analysis")
        and not module.startswith(INGEST_MAY_IMPORT)
        and module != "shv_analysis"
    ]
    assert upward == []


def test_the_import_checker_sees_function_level_and_relative_imports(tmp_path):
    # The checker itself: the old cycle (a function-level import of coding.intake) is caught.
    source = tmp_path / "validation.py"
    source.write_text(
        "def hook():\n    from shv_analysis.coding import intake\n"
        "    from ..coding.decisions import decision_hook\n"
        "    import importlib\n"
        "    importlib.import_module('shv_analysis.coding.worksheet')\n",
        "utf-8",
    )
    modules = {m for _, m, _ in _imports(source, package="shv_analysis.ingest")}
    assert {
        "shv_analysis.coding",
        "shv_analysis.coding.intake",
        "shv_analysis.coding.decisions",
        "shv_analysis.coding.worksheet",
    } <= modules


def test_coding_uses_only_public_ingest_names_and_no_argparse():
    files = sorted((PACKAGE / "coding").glob("*.py"))
    private = [
        f"{f.name}:{line}: {module}.{name}"
        for f in files
        for line, module, names in _imports(f)
        if module.startswith("shv_analysis.ingest")
        for name in names
        if name.startswith("_")
    ]
    assert private == []
    argparse_users = [f.name for f in files if any(m == "argparse" for _, m, _ in _imports(f))]
    assert argparse_users == []


# ---------------------------------------------------------------- decisions through load()

RESPONDENTEN = "respondent_id,respondenttype,gemeentecodes\nR1,gemeente,GM0003\n"
EXPERIMENTEN = (
    "pilot_id,respondent_id,titel,type,fasen,effectmeting,doelen_geformuleerd,overdraagbaar\n"
    "P1,R1,Vroeg Eropaf,,,ja,ja,ja\n"  # row 2: type and fasen empty
    "P2,R1,Schuldenbuddy,coaching_buddy,curatie,nee,nee,ja\n"
)


@pytest.fixture
def decided_folder(tmp_path):
    folder = tmp_path / "inventaris"
    folder.mkdir()
    (folder / "respondenten.csv").write_text(RESPONDENTEN, "utf-8")
    (folder / "experimenten.csv").write_text(EXPERIMENTEN, "utf-8")
    (folder / coding_decisions.DECISIONS_NAME).write_text(
        "pilot_id,field,code,coder,date,note\n"
        "P1,type,nieuwe_benadering,AB,2020-01-01,\n"
        "P1,fasen,Nazorg; curatie,AB,2020-01-01,\n"  # a label and a code, any order
        "P2,type,perspectieffonds,AB,2020-01-01,\n",  # row 4: P2 type is typed
        "utf-8",
    )
    return folder


def test_load_applies_the_decisions_file_beside_the_dataset(decided_folder):
    exp = shv.load(decided_folder).experimenten.set_index("pilot_id")
    assert exp.loc["P1", "type"] == "nieuwe_benadering"
    assert exp.loc["P1", ["fasen__curatie", "fasen__nazorg"]].tolist() == [True, True]
    assert not exp.loc["P1", ["fasen__preventie", "fasen__vroegsignalering"]].any()
    assert exp.loc["P2", "type"] == "coaching_buddy"  # a typed value is never overwritten
    result = shv.check_dataset(decided_folder)
    assert result.errors == []
    (clash,) = [w for w in result.warnings if w.row == 4]
    assert (clash.file, clash.column, clash.value) == (
        "beslissingen.csv",
        "code",
        "perspectieffonds",
    )
    assert clash.message.startswith("P2 / type: the data already hold 'coaching_buddy'")
    (filled,) = [w for w in result.warnings if w.row is None and w.file == "beslissingen.csv"]
    assert filled.message == (
        "2 empty cell(s) of 'experimenten' filled from coding decisions in this file"
    )


def test_without_the_decisions_step_the_data_are_read_as_typed(decided_folder):
    with pytest.raises(InvalidDataset) as raised:
        shv.load(decided_folder, decisions=None)
    assert {(p.file, p.row, p.column) for p in raised.value.problems} == {
        ("experimenten.csv", 2, "type"),
        ("experimenten.csv", 2, "fasen"),
    }
    # ingest on its own knows nothing of decisions: no step, the same two errors
    plain = validation.check_dataset(decided_folder)
    assert {(p.row, p.column) for p in plain.errors} == {(2, "type"), (2, "fasen")}
    stepped = validation.check_dataset(
        decided_folder, decisions_step=coding_decisions.decisions_step("auto")
    )
    assert stepped.ok and stepped.dataset.experimenten["type"].tolist() == [
        "nieuwe_benadering",
        "coaching_buddy",
    ]


def test_shv_check_applies_the_decisions_and_explicit_missing_file_is_an_error(
    decided_folder, tmp_path, capsys
):
    assert main(["check", str(decided_folder)]) == 0
    assert "OK: " in capsys.readouterr().out
    missing = tmp_path / "nope.csv"
    assert main(["check", str(decided_folder), "--decisions", str(missing)]) == 1
    out = capsys.readouterr().out
    assert f"{missing}: decisions file not found" in out


def test_intake_still_re_exports_the_public_names():
    from shv_analysis.coding import agreement, template, worksheet

    assert intake.agreement_tables is agreement.agreement_tables
    assert intake.decision_hook is coding_decisions.decision_hook
    assert intake.DECISIONS_NAME == "beslissingen.csv"
    assert intake.write_template is template.write_template
    assert intake.read_worksheet is worksheet.read_worksheet
    assert not hasattr(intake, "register_cli")  # the commands live in cli/
