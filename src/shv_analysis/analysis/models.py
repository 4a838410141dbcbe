"""Logistic regression with cluster-robust standard errors, reported as odds ratios.

`clustered_logit` refuses, with `ModelNotEstimable` and a plain-words reason, to return
estimates the data cannot support (one outcome value, empty levels, separation, collinear
predictors, too few clusters, non-convergence).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SEPARATION_LOG_ODDS", "ModelNotEstimable", "LogitResult", "clustered_logit"]

#: |log odds ratio| (per SD for numeric terms) beyond this means separation.
SEPARATION_LOG_ODDS = 15.0


class ModelNotEstimable(ValueError):
    """The data cannot support the requested model; the message says why in plain words.

    `reason` names the case (`no_rows`, `one_value`, `empty_levels`, `one_level`,
    `separation_level`, `reference_missing`, `one_cluster`, `too_many_params`, `collinear`,
    `singular`, `separation`, `not_converged`) and `fields` its values (field names and
    levels as in the data), so that a report can say it in its own language.
    """

    def __init__(self, message: str, reason: str = "", **fields: Any):
        super().__init__(message)
        self.reason = reason
        self.fields = fields


@dataclass(frozen=True)
class LogitResult:
    """Odds ratios with cluster-robust 95% CIs and p-values of a logistic regression."""

    table: pd.DataFrame  # term, odds_ratio, ci_low, ci_high, p (intercept left out)
    n_obs: int
    n_clusters: int
    note: str
    reference_levels: dict[str, str]


def clustered_logit(
    data: pd.DataFrame,
    outcome: str,
    predictors: list[str],
    cluster: str,
    reference_levels: dict[str, str] | None = None,
) -> LogitResult:
    """Logistic regression with standard errors clustered by `cluster`, as odds ratios.

    Categorical predictors get treatment coding against `reference_levels[name]` (default: the
    most frequent level; for bool predictors False); numeric non-bool predictors enter as
    linear terms. Rows with a missing outcome, predictor or cluster are excluded and counted in
    the note. Raises ModelNotEstimable instead of returning estimates the data cannot support
    (one outcome value, separation, too few clusters).
    """
    _check_columns(data, [outcome, *predictors, cluster])
    used, excluded_note = _complete_rows(data, [outcome, *predictors, cluster])
    y = _binary_outcome(used[outcome], outcome)
    design, refs, categorical = _design_matrix(used, predictors, reference_levels or {})
    groups = pd.factorize(used[cluster])[0]
    _check_estimable(design, groups)
    for name, labels in categorical.items():
        _check_separation(name, labels, y)
    fit = _fit_logit(y, design, groups)
    table = _odds_ratio_table(fit)
    notes = [
        excluded_note,
        f"standard errors clustered by '{cluster}' ({groups.max() + 1} clusters; sandwich "
        "estimator with small-sample correction); 95% CIs and p-values use the t distribution with "
        f"{groups.max()} degrees of freedom (clusters - 1)",
        "reference levels: " + ", ".join(f"{k} = {v}" for k, v in refs.items()) if refs else "",
    ]
    return LogitResult(table, len(y), int(groups.max() + 1), "; ".join(x for x in notes if x), refs)


def _check_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise KeyError naming any column that is not in the data."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"column(s) not in the data: {', '.join(missing)}")


def _complete_rows(data: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, str]:
    """Rows without missing values in `columns`, and a note on how many were excluded and why."""
    subset = data[columns]
    missing = subset.isna()
    complete = ~missing.any(axis=1)
    n_excluded = int((~complete).sum())
    if n_excluded == 0:
        return subset.reset_index(drop=True), f"all {len(data)} rows used"
    per_column = ", ".join(f"{c}: {int(missing[c].sum())}" for c in columns if missing[c].any())
    note = f"{n_excluded} of {len(data)} rows excluded because of missing values ({per_column})"
    return subset[complete].reset_index(drop=True), note


def _binary_outcome(values: pd.Series, name: str) -> np.ndarray:
    """Outcome as 0/1 floats; ModelNotEstimable if it has only one value."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        y = values.astype(float).to_numpy()
    else:
        raise ValueError(f"outcome '{name}' must be bool or 0/1, got dtype {values.dtype}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"outcome '{name}' must be bool or 0/1; found other values")
    if len(y) == 0:
        raise ModelNotEstimable("no rows left after excluding missing values", "no_rows")
    if y.min() == y.max():
        raise ModelNotEstimable(
            f"outcome '{name}' has only one value ({bool(y[0])}) in all {len(y)} rows used; "
            "nothing to explain",
            "one_value",
            name=name,
            value=bool(y[0]),
            n=len(y),
        )
    return y


def _design_matrix(
    data: pd.DataFrame, predictors: list[str], references: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, str], dict[str, pd.Series]]:
    """Intercept plus treatment-coded dummies / numeric columns, reference level per predictor,
    categorical labels.
    """
    columns: dict[str, np.ndarray] = {"Intercept": np.ones(len(data))}
    refs: dict[str, str] = {}
    categorical: dict[str, pd.Series] = {}
    for name in predictors:
        values = data[name]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            columns[name] = values.astype(float).to_numpy()
            continue
        labels = (
            values.astype(str)
            if not pd.api.types.is_bool_dtype(values)
            else values.map({True: "True", False: "False"})
        )
        levels = _levels(values, labels, name)
        categorical[name] = labels
        ref = _reference(
            name, labels, levels, references.get(name), pd.api.types.is_bool_dtype(values)
        )
        refs[name] = ref
        for level in levels:
            if level != ref:
                columns[f"{name}[T.{level}]"] = (labels == level).astype(float).to_numpy()
    return pd.DataFrame(columns), refs, categorical


def _levels(values: pd.Series, labels: pd.Series, name: str) -> list[str]:
    """Levels of a categorical predictor, after checking that every declared level has cases."""
    declared = (
        [str(c) for c in values.cat.categories]
        if isinstance(values.dtype, pd.CategoricalDtype)
        else []
    )
    levels = sorted(set(labels))
    empty = [c for c in declared if c not in levels]
    if empty:
        raise ModelNotEstimable(
            f"predictor '{name}': level(s) {', '.join(repr(c) for c in empty)} have no "
            "observations; "
            "drop or merge them before fitting",
            "empty_levels",
            name=name,
            levels=empty,
        )
    if len(levels) < 2:
        raise ModelNotEstimable(
            f"predictor '{name}' has only one level ({levels[0]!r}) in the rows used",
            "one_level",
            name=name,
            level=levels[0],
        )
    return levels


def _check_separation(name: str, labels: pd.Series, y: np.ndarray) -> None:
    """Raise ModelNotEstimable if some level of a categorical predictor has only one outcome
    value.
    """
    for level in sorted(set(labels)):
        outcomes = y[(labels == level).to_numpy()]
        if outcomes.min() == outcomes.max():
            raise ModelNotEstimable(
                f"predictor '{name}', level {level!r}: all {len(outcomes)} cases have outcome "
                f"{bool(outcomes[0])} (perfect separation), so its odds ratio is infinite; "
                "merge this level with another or leave the predictor out",
                "separation_level",
                name=name,
                level=level,
                n=len(outcomes),
                value=bool(outcomes[0]),
            )


def _reference(name: str, labels: pd.Series, levels: list[str], given: Any, is_bool: bool) -> str:
    """The reference level: the one given, else False for bool, else the most frequent (ties:
    alphabetical).
    """
    if given is not None:
        ref = str(given)
        if ref not in levels:
            raise ModelNotEstimable(
                f"reference level {ref!r} of predictor '{name}' has no observations (levels: "
                f"{', '.join(levels)})",
                "reference_missing",
                name=name,
                level=ref,
            )
        return ref
    if is_bool:
        return "False"
    counts = labels.value_counts()
    return sorted(counts.index[counts == counts.max()])[0]


def _check_estimable(design: pd.DataFrame, groups: np.ndarray) -> None:
    """Raise ModelNotEstimable for too few clusters, more parameters than clusters, or collinear
    predictors.
    """
    n_clusters = int(groups.max() + 1)
    n_params = design.shape[1]
    if n_clusters < 2:
        raise ModelNotEstimable(
            f"only {n_clusters} cluster; clustered standard errors need at least 2",
            "one_cluster",
            clusters=n_clusters,
        )
    if n_params > n_clusters:
        raise ModelNotEstimable(
            f"{n_params} parameters but only {n_clusters} clusters; clustered standard errors are "
            "not "
            "reliable with more parameters than clusters; use fewer predictors or merge levels",
            "too_many_params",
            params=n_params,
            clusters=n_clusters,
        )
    if np.linalg.matrix_rank(design.to_numpy()) < n_params:
        raise ModelNotEstimable(
            "predictors are collinear (one term is a combination of others): "
            + ", ".join(design.columns[1:]),
            "collinear",
        )


def _fit_logit(y: np.ndarray, design: pd.DataFrame, groups: np.ndarray) -> Any:
    """Fit statsmodels Logit with clustered covariance; turn separation and non-convergence into
    ModelNotEstimable.
    """
    # the one model class, not statsmodels.api (which imports all of statsmodels: ~1 s)
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = Logit(y, design).fit(
                disp=0,
                maxiter=200,
                cov_type="cluster",
                cov_kwds={"groups": groups},
                use_t=True,
            )
        except (PerfectSeparationError, np.linalg.LinAlgError) as exc:
            raise ModelNotEstimable(
                f"the model cannot be estimated (perfect separation or singular fit): {exc}",
                "singular",
            ) from exc
    size = _effect_sizes(fit.params, design)
    worst = str(size.drop("Intercept").idxmax()) if len(size) > 1 else "Intercept"
    if (
        any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
        or size.max() > SEPARATION_LOG_ODDS
    ):
        raise ModelNotEstimable(
            f"(quasi-)perfect separation: the estimate for '{worst}' runs off to infinity; "
            "merge levels or leave the predictor out",
            "separation",
        )
    converged = fit.mle_retvals.get("converged", True)
    if not converged or any(issubclass(w.category, ConvergenceWarning) for w in caught):
        raise ModelNotEstimable(
            f"the fit did not converge (largest estimate: '{worst}'); simplify the model",
            "not_converged",
        )
    if not np.all(np.isfinite(fit.bse)):
        raise ModelNotEstimable(
            f"standard errors are not finite (check '{worst}'); simplify the model"
        )
    return fit


def _effect_sizes(params: pd.Series, design: pd.DataFrame) -> pd.Series:
    """Absolute log-odds per term: raw for 0/1 columns and the intercept, per standard deviation for
    numeric ones.
    """
    scale = pd.Series(1.0, index=params.index)
    for term in params.index:
        column = design[term]
        if term != "Intercept" and not column.isin((0.0, 1.0)).all():
            scale[term] = column.std()
    return (params * scale).abs()


def _odds_ratio_table(fit: Any) -> pd.DataFrame:
    """Odds ratios, 95% CIs and p-values of every term except the intercept."""
    ci = fit.conf_int(alpha=0.05)
    terms = [t for t in fit.params.index if t != "Intercept"]
    return pd.DataFrame(
        {
            "term": terms,
            "odds_ratio": np.exp(fit.params[terms].to_numpy()),
            "ci_low": np.exp(ci.loc[terms, 0].to_numpy()),
            "ci_high": np.exp(ci.loc[terms, 1].to_numpy()),
            "p": fit.pvalues[terms].to_numpy(),
        }
    )
