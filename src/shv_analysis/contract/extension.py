"""A dataset's own codebook: the package's codebook plus the dataset's codebook extension.

The package's codebook (`codebook.toml`, module `codebook`) is the questionnaire of the 2019
inventory. A later inventory may ask more: a dataset then brings an extension (a workbook
sheet `codeboek` or a folder file `codeboek.csv`, read by `ingest.questionnaire`) whose rows
`veld, code, label_nl, label_en` (optional `soort`, `tabel`, `verplicht`) add a code to a
known coded field, or define a new coded field with its codes. `Codebook.extend` checks the
rows and returns a new `Codebook`; every problem names the file, sheet and row.

A `Codebook` answers the questions the module-level functions of `codebook` answer for the
default codebook (`fields`, `get_field`, `pilot_field`, `any_field`, `labels`,
`multi_columns`, `codebook_frame`); `DEFAULT` is the package's codebook itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.problems import Problem

#: Columns of an extension (the first four required), and the allowed `soort`/`tabel`/
#: `verplicht` values.
EXTENSION_COLUMNS = ("veld", "code", "label_nl", "label_en")
OPTIONAL_COLUMNS = ("soort", "tabel", "verplicht")
SOORTEN = ("single", "multi")
VERPLICHT = {"ja": True, "nee": False}
_NAME_RE = re.compile(r"^[a-z](?:[a-z0-9]|_(?!_))*[a-z0-9]$")
_CODE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|_(?!_))*$")
_RESERVED = frozenset({"_rij", "code", "kolom"})


@dataclass(frozen=True)
class ExtensionRow:
    """One row of a codebook extension, as typed (trimmed), with its spreadsheet row."""

    row: int
    veld: str
    code: str
    label_nl: str
    label_en: str = ""
    soort: str = ""
    tabel: str = ""
    verplicht: str = ""


class ExtensionError(ValueError):
    """A codebook extension that cannot be applied; `.problems` lists every reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Codebook:
    """The fields and codes a dataset is coded with: the package's, plus an extension.

    `added_codes` lists (table, field, code) of codes an extension added to a known field,
    `added_fields` the (table, field) of new fields; both are empty for the package's own
    codebook (`is_default`).
    """

    own_fields: tuple[cb.Field, ...] | None = None  # None: the package's, `codebook.FIELDS`
    added_codes: tuple[tuple[str, str, str], ...] = ()
    added_fields: tuple[tuple[str, str], ...] = ()
    source: str | None = field(default=None, compare=False)

    @property
    def contract_fields(self) -> tuple[cb.Field, ...]:
        """Every input field of both tables (the package's, plus the extension's)."""
        return cb.FIELDS if self.own_fields is None else self.own_fields

    @property
    def derived_fields(self) -> tuple[cb.Field, ...]:
        """The fields computed from the data (`grootteklasse`, `deelname`, ...)."""
        return cb.DERIVED_FIELDS

    @property
    def is_default(self) -> bool:
        """True when this is the package's (2019) codebook, with nothing added."""
        return not self.added_codes and not self.added_fields

    def fields(self, table: str) -> list[cb.Field]:
        """The fields of one table, contract order first, then the extension's new fields."""
        return [f for f in self.contract_fields if f.table == table]

    def get_field(self, table: str, name: str) -> cb.Field:
        """A contract or derived field of `table`.

        Raises:
            KeyError: no such field in that table.
        """
        for f in self.contract_fields + self.derived_fields:
            if f.table == table and f.name == name:
                return f
        raise KeyError(f"no field {name!r} in table {table!r}")

    def pilot_field(self, name: str) -> cb.Field:
        """A field of the experiments table."""
        return self.get_field(cb.EXPERIMENTEN, name)

    def any_field(self, name: str) -> cb.Field:
        """A field by name, experiments first, then respondents.

        Raises:
            KeyError: no such field in the codebook.
        """
        for table in (cb.EXPERIMENTEN, cb.RESPONDENTEN):
            try:
                return self.get_field(table, name)
            except KeyError:
                continue
        raise KeyError(f"no field {name!r} in the codebook")

    def multi_columns(self, field_name: str) -> list[str]:
        """`<field>__<code>` column names of a multi field, in codebook order."""
        return [cb.multi_column(field_name, c) for c in self.any_field(field_name).code_list]

    def labels(self, field_name: str, lang: str = "nl", table: str | None = None) -> dict[str, str]:
        """Code -> label for one field in one language."""
        f = self.get_field(table, field_name) if table else self.any_field(field_name)
        return {c.code: c.label(lang) for c in f.codes}

    def extra_fields(self, table: str | None = None) -> list[cb.Field]:
        """The fields the extension defines (not in the package's codebook), in order."""
        return [self.get_field(t, n) for t, n in self.added_fields if table in (None, t)]

    def describe(self) -> str:
        """What the extension adds, e.g. "code type: energiecoach; new field kanalen (multi,
        experimenten): sociale_media, huisbezoek, brief"; '' for the default codebook.
        """
        parts = [f"code {name}: {code}" for _, name, code in self.added_codes]
        for f in self.extra_fields():
            parts.append(f"new field {f.name} ({f.kind}, {f.table}): {', '.join(f.code_list)}")
        return "; ".join(parts)

    def codebook_frame(self):
        """The coded fields as a flat table (tabel, veld, code, label_nl, label_en).

        An extended codebook adds the columns `soort` and `verplicht` (filled for its new
        fields), so the frame reads back as the extension it holds (a template's `codeboek`
        sheet).
        """
        import pandas as pd

        new = set(self.added_fields)
        rows = [
            {
                "tabel": f.table,
                "veld": f.name,
                "code": c.code,
                "label_nl": c.nl,
                "label_en": c.en,
                "soort": f.kind if (f.table, f.name) in new else "",
                "verplicht": ("ja" if f.required else "nee") if (f.table, f.name) in new else "",
            }
            for f in self.contract_fields
            for c in f.codes
        ]
        frame = pd.DataFrame(
            rows, columns=["tabel", "veld", "code", "label_nl", "label_en", "soort", "verplicht"]
        )
        return frame if not self.is_default else frame.drop(columns=["soort", "verplicht"])

    def extend(
        self, rows: Iterable[ExtensionRow], file: str = "codeboek.csv", sheet: str | None = None
    ) -> Codebook:
        """This codebook with the codes and fields of an extension added.

        A row repeating a code exactly as the codebook has it (a template's own `codeboek`
        sheet) is accepted and adds nothing.

        Raises:
            ExtensionError: listing every bad row: an empty or malformed value, an unknown
                `soort`/`tabel`/`verplicht`, a duplicate code, a label that collides with
                another code's code or label, a code for a field that takes no codes, a new
                field without `soort` and `tabel`.
        """
        return _Extender(self, file, sheet).run(list(rows))


DEFAULT = Codebook()


def _field_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


class _Extender:
    """Applies extension rows one by one, collecting problems."""

    def __init__(self, base: Codebook, file: str, sheet: str | None):
        self.base, self.file, self.sheet = base, file, sheet
        self.problems: list[Problem] = []
        self.fields = {(f.table, f.name): f for f in base.contract_fields}
        self.order = list(self.fields)
        self.added_codes = list(base.added_codes)
        self.added_fields = list(base.added_fields)
        self.defined_in: dict[tuple[str, str, str], int] = {}

    def error(self, row: ExtensionRow, column: str, value: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, self.sheet, row.row, column, value, message))

    def run(self, rows: list[ExtensionRow]) -> Codebook:
        specs = self._new_field_specs(rows)
        for row in rows:
            self._add(row, specs)
        if self.problems:  # in row order
            raise ExtensionError(sorted(self.problems, key=lambda p: p.row or 0))
        if len(self.added_codes) == len(self.base.added_codes) and len(self.added_fields) == len(
            self.base.added_fields
        ):
            return self.base
        return replace(
            self.base,
            own_fields=tuple(self.fields[k] for k in self.order),
            added_codes=tuple(self.added_codes),
            added_fields=tuple(self.added_fields),
            source=self.file + (f", sheet '{self.sheet}'" if self.sheet else ""),
        )

    # -- the field a row is about

    def _known(self, name: str, table: str | None) -> cb.Field | None:
        tables = (table,) if table else (cb.EXPERIMENTEN, cb.RESPONDENTEN)
        for t in tables:
            if (t, name) in self.fields:
                return self.fields[(t, name)]
        return None

    def _checked_options(self, row: ExtensionRow) -> tuple[str, str, str] | None:
        """(soort, tabel, verplicht) lower-cased, or None after reporting a bad value."""
        soort, tabel, verplicht = (cb.normalise(v) for v in (row.soort, row.tabel, row.verplicht))
        ok = True
        if soort and soort not in SOORTEN:
            self.error(
                row,
                "soort",
                row.soort,
                "unknown soort; allowed: single (one answer) or multi (more answers)",
            )
            ok = False
        if tabel and tabel not in cb.TABLE_NAMES:
            self.error(
                row, "tabel", row.tabel, "unknown tabel; allowed: " + ", ".join(cb.TABLE_NAMES)
            )
            ok = False
        if verplicht and verplicht not in VERPLICHT:
            self.error(row, "verplicht", row.verplicht, "allowed: ja or nee")
            ok = False
        return (soort, tabel, verplicht) if ok else None

    def _new_field_specs(self, rows: list[ExtensionRow]) -> dict[str, tuple | None]:
        """Per new field name: (kind, table, required, first row), or None when undefined."""
        specs: dict[str, tuple | None] = {}
        first: dict[str, ExtensionRow] = {}
        for row in rows:
            name = cb.normalise_header(row.veld)
            options = self._checked_options(row)
            if not name or options is None:
                continue
            soort, tabel, verplicht = options
            if self._known(name, None) is not None or self._derived(name) is not None:
                continue
            first.setdefault(name, row)
            if not (soort and tabel):
                specs.setdefault(name, None)
                continue
            spec = specs.get(name)
            if spec is None:
                specs[name] = (soort, tabel, VERPLICHT.get(verplicht, False), row.row)
            elif (spec[0], spec[1]) != (soort, tabel):
                self.error(
                    row,
                    "soort",
                    f"{row.soort}, {row.tabel}",
                    f"new field '{name}' is defined as {spec[0]} in table {spec[1]} in "
                    f"row {spec[3]}; all its rows must agree",
                )
        for name, spec in specs.items():
            if spec is None:
                row = first[name]
                self.error(
                    row,
                    "veld",
                    row.veld,
                    f"'{name}' is not a field of the codebook; to define a new field, "
                    "give soort (single or multi) and tabel (respondenten or "
                    "experimenten) on its first row",
                )
        return specs

    def _derived(self, name: str) -> cb.Field | None:
        return next((f for f in self.base.derived_fields if f.name == name), None)

    # -- one row

    def _add(self, row: ExtensionRow, specs: dict[str, tuple | None]) -> None:
        name = cb.normalise_header(row.veld)
        code = cb.normalise_header(row.code)
        options = self._checked_options_quiet(row)
        if not name:
            self.error(row, "veld", row.veld, "veld is empty; give the field the code is for")
            return
        if not code:
            self.error(
                row,
                "code",
                row.code,
                "code is empty; give the code (lower case, e.g. energiecoach)",
            )
            return
        if not row.label_nl:
            self.error(row, "label_nl", row.label_nl, "label_nl is empty; give the Dutch label")
            return
        if options is None:
            return
        soort, tabel, verplicht = options
        if not _CODE_RE.match(code):
            self.error(
                row,
                "code",
                row.code,
                "not a code: use lower-case letters, digits and "
                "single '_' (e.g. energiecoach, sociale_media)",
            )
            return
        if name in specs:  # a new field: its soort and tabel were checked for all its rows
            spec = specs[name]
            f = None if spec is None else self._new_field(row, name, spec)
            if f is not None:
                self._add_code(f, row, code)
            return
        f = self._known(name, tabel or None)
        if f is None and tabel and self._known(name, None) is not None:
            other = self._known(name, None)
            self.error(
                row,
                "tabel",
                row.tabel,
                f"field '{name}' belongs to table {other.table}, not {tabel}",
            )
            return
        if f is None and self._derived(name) is not None:
            self.error(
                row, "veld", row.veld, f"'{name}' is derived from the data; it takes no codes"
            )
            return
        if f is None:
            return
        if self._restates(f, code, row):
            return
        elif not self._fits(f, row, soort, verplicht):
            return
        self._add_code(f, row, code)

    def _checked_options_quiet(self, row: ExtensionRow) -> tuple[str, str, str] | None:
        soort, tabel, verplicht = (cb.normalise(v) for v in (row.soort, row.tabel, row.verplicht))
        if (
            (soort and soort not in SOORTEN)
            or (tabel and tabel not in cb.TABLE_NAMES)
            or (verplicht and verplicht not in VERPLICHT)
        ):
            return None  # reported by `_new_field_specs`
        return soort, tabel, verplicht

    def _restates(self, f: cb.Field, code: str, row: ExtensionRow) -> bool:
        """True for a row repeating a code of the base codebook exactly (nothing to add)."""
        existing = next((c for c in f.codes if c.code == code), None)
        if existing is None or (f.table, f.name, code) in self.defined_in:
            return False
        if (existing.nl, existing.en) == (row.label_nl, row.label_en or row.label_nl) or (
            existing.nl == row.label_nl and not row.label_en
        ):
            return True
        self.error(
            row,
            "code",
            row.code,
            f"duplicate code: field '{f.name}' already has code "
            f"'{code}' (label '{existing.nl}'); an extension adds codes, it cannot "
            "relabel them",
        )
        return True

    def _fits(self, f: cb.Field, row: ExtensionRow, soort: str, verplicht: str) -> bool:
        if f.kind not in SOORTEN:
            what = (
                "a yes/no field: its codes are ja and nee"
                if f.kind == "yesno"
                else f"a {f.kind} field"
            )
            self.error(
                row,
                "veld",
                row.veld,
                f"'{f.name}' is {what}; codes can be added to a single or multi field only",
            )
            return False
        if soort and soort != f.kind:
            self.error(
                row,
                "soort",
                row.soort,
                f"field '{f.name}' is {f.kind} in the codebook; "
                "leave soort empty or write " + f.kind,
            )
            return False
        if verplicht and VERPLICHT[verplicht] != f.required:
            self.error(
                row,
                "verplicht",
                row.verplicht,
                f"field '{f.name}' is "
                f"{'required' if f.required else 'optional'} in the codebook; an "
                "extension cannot change that (leave verplicht empty)",
            )
            return False
        return True

    def _new_field(self, row: ExtensionRow, name: str, spec: tuple) -> cb.Field | None:
        kind, table, required, _ = spec
        key = (table, name)
        if key in self.fields:
            return self.fields[key]
        if not _NAME_RE.match(name) or name in _RESERVED or name in cb.PERSONAL_COLUMNS:
            self.error(
                row,
                "veld",
                row.veld,
                "not a usable field name: use lower-case letters, "
                "digits and single '_' (e.g. kanalen), and no name of personal data",
            )
            return None
        label = _field_label(name)
        new = cb.Field(
            name,
            table,
            kind,
            required,
            label,
            label,
            (),
            f"added by the dataset's codebook extension ({self.file})",
        )
        self.fields[key] = new
        self.order.append(key)
        self.added_fields.append(key)
        return new

    def _add_code(self, f: cb.Field, row: ExtensionRow, code: str) -> None:
        key = (f.table, f.name, code)
        if key in self.defined_in or code in f.code_list:
            where = f"row {self.defined_in[key]}" if key in self.defined_in else "the codebook"
            self.error(
                row,
                "code",
                row.code,
                f"duplicate code '{code}' of field '{f.name}': already in {where}",
            )
            return
        taken = cb.lookup(f)
        for column, value in (
            ("code", code),
            ("label_nl", row.label_nl),
            ("label_en", row.label_en),
        ):
            other = taken.get(cb.normalise(value)) if value else None
            if other is not None:
                self.error(
                    row,
                    column,
                    value,
                    f"collides with code '{other}' of field "
                    f"'{f.name}' (its code or a label); every code and label must "
                    "point to one code",
                )
                return
        new = cb.Code(code, row.label_nl, row.label_en or row.label_nl)
        updated = replace(f, codes=f.codes + (new,))
        self.fields[(f.table, f.name)] = updated
        self.defined_in[key] = row.row
        if (f.table, f.name) not in self.added_fields:
            self.added_codes.append(key)
