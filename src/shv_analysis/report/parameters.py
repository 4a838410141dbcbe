"""Report parameters (`shv report -p NAME=VALUE`), checked before any section runs.

The known parameters are those of the section notebooks' cells tagged `parameters` (read with
papermill's `inspect_notebook`), so a new notebook parameter needs no change here. Values are
typed by what the parameter allows, not by what they look like: `data` is always a path (a folder
called `2024` stays the path "2024"), `lang` is checked by `text.normalise_lang`, `min_cell` is a
whole number of at least 0.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shv_analysis.text import LANGS, normalise_lang

#: Parameters whose value is text whatever it looks like.
TEXT_PARAMETERS = frozenset({"data", "subset", "lang"})
#: Parameters the report sets itself.
RESERVED_PARAMETERS = ("output_dir",)
#: Parameters whose value is checked by what it allows.
CHECKED = TEXT_PARAMETERS | {"min_cell", "indeling", *RESERVED_PARAMETERS}


class ParameterError(ValueError):
    """One or more report parameters are wrong; `problems` lists each, in order given."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class KnownParameters:
    """The parameters of a set of section notebooks.

    Attributes:
        names: parameter name -> the notebooks (file names) whose parameters cell defines it.
        help: parameter name -> the comment of its line in the first notebook defining it.
    """

    names: Mapping[str, tuple[str, ...]]
    help: Mapping[str, str] = field(default_factory=dict)

    def listing(self) -> str:
        """The names a user may set, comma-separated, in alphabetical order."""
        return ", ".join(sorted(n for n in self.names if n not in RESERVED_PARAMETERS))


#: papermill's pattern of one parameter definition (`PythonTranslator.PARAMETER_PATTERN`).
PARAMETER_PATTERN = re.compile(
    r"^(?P<target>\w[\w_]*)\s*(:\s*[\"']?(?P<annotation>\w[\w_\[\],\s]*)[\"']?\s*)?=\s*"
    r"(?P<value>.*?)(\s*#\s*(type:\s*(?P<type_comment>[^\s]*)\s*)?(?P<help>.*))?$"
)


def inspect_source(source: str) -> dict[str, str]:
    """Name -> help of the parameters defined in a `parameters` cell's source, read as
    `papermill.inspect_notebook` reads them (`PythonTranslator.inspect`: one definition per
    line with `=`, continued over the following lines, the help the last line's comment),
    without importing papermill (and nbformat, jsonschema), which costs seconds.
    """
    groups: list[str] = []
    accumulator: list[str] = []

    def flatten(lines: list[str]) -> str:
        flat = "".join(
            line[: line.index("#")].strip() if "#" in line else line.strip() for line in lines[:-1]
        )
        return flat + (lines[-1].strip() if lines else "")

    for line in source.splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        equals = line.count("=")
        if equals > 0:
            groups.append(flatten(accumulator))
            accumulator = []
            if equals > 1:
                continue  # papermill cannot parse it either
        accumulator.append(line)
    groups.append(flatten(accumulator))
    out: dict[str, str] = {}
    for definition in groups:
        match = PARAMETER_PATTERN.match(definition) if definition else None
        if match is not None and match.group("target") is not None:
            out.setdefault(match.group("target").strip(), (match.group("help") or "").strip())
    return out


def notebook_parameters(path: str | Path) -> dict[str, str]:
    """Name -> help of the parameters in the first cell tagged `parameters` of a notebook
    (empty when there is none).

    Raises:
        OSError, ValueError: the file cannot be read as notebook JSON.
    """
    nb = json.loads(Path(path).read_text("utf-8"))
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return inspect_source("".join(source) if isinstance(source, list) else source)
    return {}


def known_parameters(notebooks: Iterable[str | Path]) -> KnownParameters:
    """The parameters defined in the `parameters` cells of `notebooks` (paths to .ipynb files)."""
    names: dict[str, list[str]] = {}
    helps: dict[str, str] = {}
    for path in notebooks:
        for name, help_text in notebook_parameters(path).items():
            names.setdefault(name, []).append(Path(path).name)
            helps.setdefault(name, help_text)
    return KnownParameters({k: tuple(v) for k, v in names.items()}, helps)


def _literal(value: str) -> object:
    """VALUE read as None/True/False/int/float when it looks like one, else the text."""
    if value in ("None", "none", "null"):
        return None
    if value in ("True", "true", "False", "false"):
        return value.lower() == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _typed(name: str, raw: str) -> tuple[object, str | None]:
    """(value, problem) for one NAME=VALUE by what the parameter allows."""
    if name == "lang":
        try:
            return normalise_lang(raw), None
        except ValueError:
            return None, f"-p lang={raw}: unknown language; allowed: {', '.join(LANGS)}"
    if name in TEXT_PARAMETERS:
        return (None if raw in ("None", "") else raw), None
    if name == "min_cell":
        value = _literal(raw)
        if value is None:
            return None, None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return None, (
                f"-p min_cell={raw}: must be a whole number of at least 0 (counts "
                f"below it are suppressed), or None for the default"
            )
        return value, None
    if name == "indeling":
        value = _literal(raw)
        if value is None:
            return None, None
        if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
            return None, (
                f"-p indeling={raw}: must be the year of a municipal division "
                "(e.g. 2024), or None for the dataset's own"
            )
        return value, None
    return _literal(raw), None


def parse_parameters(texts: Sequence[str], known: KnownParameters) -> dict[str, object]:
    """Parse and check every `NAME=VALUE` of `shv report -p`, reporting all problems at once.

    Args:
        texts: the raw `-p` arguments, in the order given.
        known: the parameters of the notebooks that will run (`known_parameters`).

    Returns:
        name -> typed value (`data`, `subset`: text; `lang`: "nl" or "en"; `min_cell`: int or
        None; `indeling`: a year or None; other parameters: None/bool/int/float when the text
        looks like one, else text).

    Raises:
        ParameterError: naming each unknown parameter (with close matches and the known
            names), reserved parameter, malformed argument or value outside what the
            parameter allows.
    """
    values: dict[str, object] = {}
    problems: list[str] = []
    for text in texts:
        if "=" not in text:
            problems.append(f"-p {text}: write NAME=VALUE")
            continue
        name, raw = (part.strip() for part in text.split("=", 1))
        if name in RESERVED_PARAMETERS:
            problems.append(f"-p {name}: set by the report itself (use --out)")
            continue
        if name not in known.names:
            close = difflib.get_close_matches(name, list(known.names), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"-p {name}={raw}: no section notebook has a parameter {name!r}"
                f"{hint} Known parameters: {known.listing()}"
            )
            continue
        value, problem = _typed(name, raw)
        if problem:
            problems.append(problem)
        else:
            values[name] = value
    if problems:
        raise ParameterError(problems)
    return values


def check_parameters(values: Mapping[str, object], known: KnownParameters) -> dict[str, object]:
    """Check parameters given as a mapping (the `run_report` API) like `parse_parameters`.

    `data`, `subset`, `lang` and `min_cell` are checked as their text (a path-like or int
    `data` becomes its text); other known parameters keep a non-text value as given.

    Raises:
        ParameterError: every problem at once, as `parse_parameters`.
    """
    texts: list[str] = []
    typed: dict[str, object] = {}
    for name, value in values.items():
        if name in known.names and name not in CHECKED and not isinstance(value, str):
            typed[name] = value
        else:
            texts.append(f"{name}={value}")
    typed.update(parse_parameters(texts, known))
    return typed
