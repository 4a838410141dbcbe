"""The coded dataset and the respondent facts derived from it (province, population class)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.extension import DEFAULT, Codebook
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.division import Division
from shv_analysis.ingest.reference import Reference, compact_key, parse_code, province_spellings
from shv_analysis.text import normalise_lang, text

RESPONDENT_ATTRIBUTES = ("respondenttype", "provincie", "inwoners", "grootteklasse")


@dataclass
class Dataset:
    """Both coded tables (see docs/architecture.md), where they came from, and warnings."""

    respondenten: pd.DataFrame
    experimenten: pd.DataFrame
    source: Path | None = None
    metadata: dict = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    subset_label: str | None = None
    codebook: Codebook = DEFAULT  # the package's, or extended by the dataset's `codeboek`
    division: Division = field(default_factory=Division)

    @property
    def indeling(self) -> int:
        """The municipal division (1 January of this year) the dataset is measured against."""
        return self.division.year

    @property
    def n_municipalities(self) -> int:
        """Number of municipalities of the dataset's division (355 in 2019, 342 in 2024)."""
        return self.division.size

    @property
    def synthetic(self) -> bool:
        """True when the data are a synthetic reconstruction (flag in the dataset metadata)."""
        value = self.metadata.get("synthetic", False)
        return value is True or str(value).strip().lower() in cb.YES_WORDS

    @property
    def name(self) -> str:
        if self.metadata.get("name"):
            return str(self.metadata["name"])
        return self.source.name if self.source else "dataset"

    def display_name(self, lang: str = "nl") -> str:
        """The dataset's name for a report in `lang`: metadata `name_en` in English when it
        is there, else `name`.
        """
        if normalise_lang(lang) == "en" and self.metadata.get("name_en"):
            return str(self.metadata["name_en"])
        return self.name

    def notice(self, lang: str = "nl") -> str | None:
        """The synthetic-data notice, or None for real data."""
        return text("notice.synthetic", lang) if self.synthetic else None

    def _cached(self, name: str, compute):
        """Memoise derived frames for as long as both tables are the same objects."""
        key = (name, id(self.respondenten), id(self.experimenten))
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key].copy(deep=False)  # copy-on-write: cheap; callers cannot alter the cache

    def pilots(self) -> pd.DataFrame:
        """Pilots with their respondent's type, province, population and population class."""

        def compute() -> pd.DataFrame:
            extra = [
                c
                for f in self.codebook.extra_fields(cb.RESPONDENTEN)
                for c in (self.codebook.multi_columns(f.name) if f.kind == "multi" else [f.name])
            ]
            attrs = self.respondenten[["respondent_id", *RESPONDENT_ATTRIBUTES, *extra]]
            merged = self.experimenten.merge(
                attrs, on="respondent_id", how="left", validate="many_to_one"
            )
            merged["signaalpartner"] = signal_partner(merged)
            merged["_org"] = pd.factorize(merged["respondent_id"])[0]
            return merged

        return self._cached("pilots", compute)

    def participating(self) -> pd.Series:
        """Per respondent: does it undertake at least one experiment."""
        return self._cached(
            "participating",
            lambda: self.respondenten["respondent_id"].isin(
                pd.unique(self.experimenten["respondent_id"])
            ),
        )

    def covered_municipalities(self) -> set[str]:
        """Distinct municipality codes (of the dataset's division) over all respondents."""
        cells = pd.unique(self.respondenten["gemeentecodes"].dropna())
        return {code for cell in cells for code in str(cell).split(";") if code}

    def summary(self) -> dict:
        return {
            "respondenten": len(self.respondenten),
            "experimenten": len(self.experimenten),
            "gemeenten_gedekt": len(self.covered_municipalities()),
            "gemeenten_totaal": self.n_municipalities,
            "indeling": self.indeling,
            "waarschuwingen": len(self.warnings),
            "synthetisch": self.synthetic,
        }

    def subset(self, spec: str | None, allow_empty: bool = False) -> Dataset:
        """Records matching `FIELD=VALUE` (e.g. `respondenttype=g4_g40`, `fasen=nazorg`).

        Any contract field works, multi fields and the derived `grootteklasse`,
        `signaalpartner` and `deelname` included. A respondent field keeps the matching
        respondents and their pilots; a pilot field keeps the matching pilots and the
        respondents through them (those with at least one matching pilot). Empty spec: the
        dataset itself.

        Raises:
            SubsetError: (a ValueError) the spec is not FIELD=VALUE, the field is unknown, or
                the value matches no record (unless `allow_empty`); the message lists the
                fields or the values present.
        """
        if not spec:
            return self
        name, value = parse_subset(spec)
        resp, exp = self.respondenten, self.experimenten
        if name in resp.columns or name == "deelname":
            column = self.participating() if name == "deelname" else resp[name]
            keep, present = _subset_mask(column, name, value, self.codebook)
            unit = "respondent"
            resp = resp[keep.to_numpy()].reset_index(drop=True)
            exp = exp[exp["respondent_id"].isin(resp["respondent_id"])]
        elif name in exp.columns or name == "signaalpartner" or _is_multi(name, self.codebook):
            if name == "signaalpartner":
                column = signal_partner(exp)
            elif _is_multi(name, self.codebook):
                column = exp[self.codebook.multi_columns(name)]
            else:
                column = exp[name]
            keep, present = _subset_mask(column, name, value, self.codebook)
            unit = "pilot"
            exp = exp[keep.to_numpy()]
            resp = resp[resp["respondent_id"].isin(exp["respondent_id"])].reset_index(drop=True)
        else:
            usable = sorted(
                {
                    *resp.columns,
                    *exp.columns,
                    "deelname",
                    "signaalpartner",
                    *(f.name for f in self.codebook.fields(cb.EXPERIMENTEN) if f.kind == "multi"),
                }
                - {"_rij"}
                - {c for c in exp.columns if "__" in c}
            )
            raise SubsetError(
                f"subset: unknown field '{name}'; use a field of respondenten or "
                f"experimenten: {', '.join(usable)}",
                usable,
            )
        matched = len(resp) if unit == "respondent" else len(exp)
        if not matched and not allow_empty:
            shown = ", ".join(present[:30]) + (", …" if len(present) > 30 else "")
            raise SubsetError(
                f"subset {name}={value}: no {unit} matches; values present: {shown or 'none'}",
                present,
            )
        return replace(
            self,
            respondenten=resp,
            experimenten=exp.reset_index(drop=True),
            subset_label=f"{name} = {value}",
        )


class SubsetError(ValueError):
    """A subset that cannot be applied; `.present` lists the fields or values present."""

    def __init__(self, message: str, present=()):
        super().__init__(message)
        self.present = list(present)


def parse_subset(spec: str) -> tuple[str, str]:
    """'respondenttype=g4_g40' -> ('respondenttype', 'g4_g40')."""
    if "=" not in spec:
        raise SubsetError(f"subset {spec!r}: write FIELD=VALUE, e.g. respondenttype=g4_g40")
    name, value = (part.strip() for part in spec.split("=", 1))
    return cb.normalise_header(name), value


def _is_multi(name: str, codebook: Codebook = DEFAULT) -> bool:
    try:
        return codebook.pilot_field(name).kind == "multi"
    except KeyError:
        return False


def _field(name: str, codebook: Codebook = DEFAULT) -> cb.Field | None:
    for f in codebook.contract_fields + codebook.derived_fields:
        if f.name == name:
            return f
    return None


def _subset_mask(
    column, name: str, value: str, codebook: Codebook = DEFAULT
) -> tuple[pd.Series, list[str]]:
    """Rows matching `value` in `column` (a frame of option columns for a multi field), and
    the values present, as a user may write them.
    """
    f = _field(name, codebook)
    if isinstance(column, pd.DataFrame):  # multi field: one bool column per option
        present = [c.split("__", 1)[1] for c in column.columns if column[c].any()]
        code = cb.lookup(f).get(cb.normalise(value))
        if code is None:
            raise SubsetError(
                f"subset {name}={value}: unknown option; allowed: "
                f"{cb.allowed_text(f)}; present: {', '.join(present) or 'none'}",
                present,
            )
        return column[cb.multi_column(name, code)].astype(bool), present
    if (f is not None and f.kind == "yesno") or pd.api.types.is_bool_dtype(column):
        present = [w for w, flag in (("ja", True), ("nee", False)) if column.eq(flag).any()]
        norm = cb.normalise(value)
        wanted = True if norm in cb.YES_WORDS else False if norm in cb.NO_WORDS else None
        if wanted is None:
            raise SubsetError(f"subset {name}={value}: not a yes/no value; use ja or nee", present)
        return column.eq(wanted).fillna(False).astype(bool), present
    text = column.astype(object).where(column.notna(), None)
    present = sorted({str(v) for v in text.dropna()})
    if f is not None and f.kind == "list":  # gemeentecodes: respondents speaking for a code
        code = parse_code(value) or value.strip().upper()
        present = sorted({c for cell in present for c in cell.split(";") if c})
        return text.map(lambda cell: cell is not None and code in str(cell).split(";")).astype(
            bool
        ), present
    if f is not None and f.codes:
        wanted = cb.lookup(f).get(cb.normalise(value), value)
    elif name == "provincie":
        wanted = province_spellings().get(compact_key(value), value)
    else:
        wanted = value
    key = compact_key(wanted)
    return text.map(lambda v: v is not None and compact_key(str(v)) == key).astype(bool), present


def signal_partner(pilots: pd.DataFrame) -> pd.Series:
    """Per pilot: is any signal partner (housing, health insurer, utility) involved."""
    cols = [cb.multi_column("partners", c) for c in cb.SIGNAL_PARTNERS]
    return pilots[cols].any(axis=1)


def population_class(inwoners: pd.Series) -> pd.Series:
    """Population class code per respondent (NA when inhabitants are unknown)."""
    codes = np.array([c.code for c in cb.GROOTTEKLASSE], dtype=object)
    values = pd.to_numeric(inwoners, errors="coerce").astype(float)
    idx = np.searchsorted(cb.GROOTTEKLASSE_BOUNDS, values.to_numpy(), side="right")
    result = pd.Series(codes[np.minimum(idx, len(codes) - 1)], index=inwoners.index, dtype=object)
    return result.where(values.notna().to_numpy(), None)


def derive_respondent_facts(
    resp: pd.DataFrame, reference: Reference | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Fill `provincie` and `inwoners` from the reference where absent; add `grootteklasse`."""
    resp = resp.copy()
    warnings: list[Problem] = []
    if reference is not None:
        idx, cells = pd.factorize(resp["gemeentecodes"].fillna(""))
        province_of = reference.municipalities["provincie"].to_dict()
        people_of = reference.municipalities["inwoners"].to_dict()
        facts = []
        for cell in cells:
            codes = [c for c in str(cell).split(";") if c in province_of]
            provinces = {province_of[c] for c in codes}
            province = (
                provinces.pop()
                if len(provinces) == 1
                else (cb.MULTIPLE_PROVINCES if provinces else None)
            )
            facts.append((province, sum(int(people_of[c]) for c in codes) if codes else None))
        province = np.array([f[0] for f in facts] + [None], dtype=object)[:-1][idx]
        people = pd.array([f[1] for f in facts], dtype="Int64")[idx]
        missing_p = resp["provincie"].isna().to_numpy()
        resp["provincie"] = resp["provincie"].astype(object)
        resp.loc[missing_p, "provincie"] = province[missing_p]
        missing_i = resp["inwoners"].isna().to_numpy()
        resp.loc[missing_i, "inwoners"] = people[missing_i]
    unknown = resp["inwoners"].isna()
    if unknown.any():
        warnings.append(
            Problem(
                cb.RESPONDENTEN,
                None,
                None,
                "inwoners",
                None,
                f"inhabitants unknown for {int(unknown.sum())} respondent(s) "
                "(no 'inwoners' value and no reference to derive it); their "
                "population class is unknown",
                "warning",
            )
        )
    resp["grootteklasse"] = population_class(resp["inwoners"])
    return resp, warnings
