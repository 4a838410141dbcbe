"""The clustered evaluation model: odds of a planned effectiveness measurement per pilot.

`evaluation_model` fits a logistic regression of 'effectiveness measurement planned' on
population class, pilot type and goals formulated beforehand, with standard errors clustered
by respondent (`models.clustered_logit`), and returns it as a `Table` of odds ratios with
labelled terms and a footnote naming the reference levels. Before fitting, sparse levels are
pooled so the model stays estimable: rare pilot types into one level (`_pool_rare`), small
population classes into the next class up (`_pool_ordered`). When the data cannot support the
model, the table holds the plain reason instead of estimates.
"""

from __future__ import annotations

import re

import pandas as pd

from shv_analysis.analysis.models import ModelNotEstimable, clustered_logit
from shv_analysis.analysis.tables import Table
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.text import normalise_lang, text, texts

MIN_LEVEL_SIZE = 10


MIN_LEVEL_EVENTS = 3  # fewest outcomes of either kind (events, non-events) a level may have


def _sparse(values: pd.Series, outcome: pd.Series | None, minimum: int) -> pd.Series:
    """Per level: too few records, or (with an outcome) too few events or non-events."""
    counts = values.value_counts()
    small = counts < minimum
    if outcome is not None:
        known = outcome.notna()
        events = outcome[known].astype(bool).groupby(values[known]).agg(["sum", "count"])
        events = events.reindex(counts.index, fill_value=0)
        small |= (events["sum"] < MIN_LEVEL_EVENTS) | (
            events["count"] - events["sum"] < MIN_LEVEL_EVENTS
        )
    return small


def _pool_rare(
    values: pd.Series,
    order: list[str],
    minimum: int = MIN_LEVEL_SIZE,
    outcome: pd.Series | None = None,
) -> pd.Series:
    """Levels with fewer than `minimum` records (or, given `outcome`, fewer than
    `MIN_LEVEL_EVENTS` events or non-events) pooled into one, so the model stays estimable.

    The pooled level is named by its codes in codebook `order`, joined by '+'
    ("educatietool+digitaal_product+overig"), so the report can say what it holds.
    """
    small = _sparse(values, outcome, minimum)
    rank = {code: k for k, code in enumerate(order)}
    rare = sorted(small[small].index, key=lambda c: (rank.get(c, len(order)), c))
    return values.where(~values.isin(rare), "+".join(rare))


def _pool_ordered(
    values: pd.Series,
    order: list[str],
    minimum: int = MIN_LEVEL_SIZE,
    outcome: pd.Series | None = None,
) -> pd.Series:
    """Ordered classes with fewer than `minimum` records (or, given `outcome`, fewer than
    `MIN_LEVEL_EVENTS` events or non-events) merged into the next class up.
    """
    values = values.astype(object)

    def sparse(codes: list[str]) -> bool:
        inside = values.isin(codes)
        if inside.sum() < minimum:
            return True
        if outcome is None:
            return False
        known = outcome[inside & outcome.notna()].astype(bool)
        return bool(known.sum() < MIN_LEVEL_EVENTS or (~known).sum() < MIN_LEVEL_EVENTS)

    groups: list[list[str]] = []
    for code in order:
        if groups and sparse(groups[-1]):
            groups[-1].append(code)
        else:
            groups.append([code])
    if len(groups) > 1 and sparse(groups[-1]):
        groups[-2].extend(groups.pop())
    mapping = {code: "+".join(g) for g in groups for code in g}
    return values.map(mapping).where(values.notna(), None)


def not_estimable_reason(exc: ModelNotEstimable, ds: Dataset, lang: str = "nl") -> str:
    """Why the model of `evaluation_model` cannot be estimated, in the report's language:
    field names and levels as their labels, yes/no for booleans. A reason without a
    catalogue text (another cause) is given as the model said it.
    """
    names = texts("crosstab.model.names", lang)

    def field_label(name: str) -> str:
        if name in names:
            return names[name]
        try:
            return ds.codebook.any_field(name).label(lang).lower()
        except KeyError:
            return name

    def level_label(name: str, level) -> str:
        if isinstance(level, bool) or level in ("True", "False"):
            return names["yes"] if level in (True, "True") else names["no"]
        try:
            return _level_label(name, str(level), lang)  # pooled classes joined by ' + '
        except KeyError:
            return str(level)

    fields = dict(exc.fields)
    name = str(fields.get("name", ""))
    if "level" in fields:
        fields["level"] = level_label(name, fields["level"])
    if "levels" in fields:
        fields["levels"] = ", ".join(level_label(name, v) for v in fields["levels"])
    if "value" in fields:
        fields["value"] = names["yes"] if fields["value"] else names["no"]
    if name:
        fields["name"] = field_label(name)
    fields["outcome"] = names["gepland"]
    if not exc.reason:
        return text("crosstab.model.reasons.other", lang, reason=str(exc))
    return text(f"crosstab.model.reasons.{exc.reason}", lang, **fields)


def evaluation_model(ds: Dataset, lang: str = "nl") -> Table:
    """Logit of 'effectiveness measurement planned' on size, type and goals, clustered SEs.

    Types with fewer than 10 pilots are pooled; a population class with fewer than 10 pilots
    is merged with the next class up. When the data cannot support the model the
    table holds the plain reason instead of estimates.
    """
    lang = normalise_lang(lang)
    m = texts("crosstab.model", lang)
    pilots = ds.pilots()
    planned = pilots["effectmeting"].eq("ja").where(pilots["effectmeting"].notna())
    data = pd.DataFrame(
        {
            "gepland": planned,
            "grootteklasse": _pool_ordered(
                pilots["grootteklasse"],
                cb.get_field(cb.RESPONDENTEN, "grootteklasse").code_list,
                outcome=planned,
            ),
            "type": _pool_rare(
                pilots["type"].astype(object),
                ds.codebook.any_field("type").code_list,
                outcome=planned,
            ),
            "doelen_geformuleerd": pilots["doelen_geformuleerd"].astype("boolean"),
            "respondent_id": pilots["respondent_id"],
        }
    )
    title = m["title"]
    try:
        result = clustered_logit(
            data,
            "gepland",
            ["grootteklasse", "type", "doelen_geformuleerd"],
            "respondent_id",
            reference_levels={"type": "vroegsignalering"},
        )
    except ModelNotEstimable as exc:
        reason = m["not_estimable"].format(reason=not_estimable_reason(exc, ds, lang))
        return Table(
            data=pd.DataFrame({"reason": [reason]}),
            title=title,
            footnote="",  # the reason is the table's one row
            key="model_effectmeting",
            n=len(data),
            base="",
            notice=ds.notice(lang),
            labels={"reason": ""},
        )
    table = result.table.rename(columns={"term": "code", "ci_low": "or_low", "ci_high": "or_high"})
    labels = {c: m[c] for c in ("term", "odds_ratio", "or_low", "or_high", "p")}
    refs = "; ".join(
        text(
            "crosstab.model.reference",
            lang,
            field=cb.any_field(name).label(lang),
            level=_level_label(name, level, lang),
        )
        for name, level in result.reference_levels.items()
    )
    footnote = m["footnote"].format(
        n=result.n_obs, k=result.n_clusters, df=result.n_clusters - 1, refs=refs
    )
    table.insert(1, "term", [_term_label(t, lang) for t in table["code"]])
    # code, term, odds_ratio, or_low, or_high, p; the code stays in the CSV
    return Table(
        data=table,
        title=title,
        footnote=footnote,
        key="model_effectmeting",
        n=result.n_obs,
        base=text(f"crosstab.unit.{cb.EXPERIMENTEN}", lang),
        notice=ds.notice(lang),
        meta={"result": result, "decimals": {"odds_ratio": 2, "or_low": 2, "or_high": 2, "p": "p"}},
        labels=labels,
    )


def _term_label(term: str, lang: str) -> str:
    """'grootteklasse[T.50k_100k]' -> 'Inwonersaantal: 50.000 tot 100.000 inwoners'."""
    match = re.fullmatch(r"(\w+)\[T\.(.+)\]", term)
    if not match:
        return term
    name, level = match.groups()
    try:
        f = cb.any_field(name)
    except KeyError:
        return term
    return f"{f.label(lang)}: {_level_label(name, level, lang)}"


def _level_label(name: str, level: str, lang: str) -> str:
    """A model level in words: codebook labels, pooled classes joined by ' + ', ja/nee for bools."""
    f = cb.any_field(name)
    if f.kind == "yesno":
        level = {"True": "ja", "False": "nee"}.get(level, level)
    parts = [f.code_label(code, lang) if code in f.code_list else code for code in level.split("+")]
    return " + ".join(parts)
