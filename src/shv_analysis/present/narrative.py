"""Sentences with numbers, built from the data (the notebooks' markdown states no numbers).

Each function takes a dataset (or a Table computed from it) and a language and returns one
plain-text sentence; every number in it is counted here, never typed. With an empty base the
percentage reads 'n.v.t.' / 'n/a'.
"""

from __future__ import annotations

from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.present.formatting import fmt_int, fmt_pct, pct
from shv_analysis.analysis.tables import Table


def _en(lang: str) -> bool:
    return lang == "en"


def _join(parts: list[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + (" and " if _en(lang) else " en ") + parts[-1]


def _subset(ds: Dataset, lang: str) -> str:
    if not ds.subset_label:
        return ""
    return f" (subset: {ds.subset_label})"


def loaded(ds: Dataset, lang: str = "nl") -> str:
    """What was read: dataset name, records per table and warnings."""
    r, e, w = (fmt_int(len(ds.respondenten), lang), fmt_int(len(ds.experimenten), lang),
               fmt_int(len(ds.warnings), lang))
    if _en(lang):
        return (f"Read: dataset '{ds.name}'{_subset(ds, lang)} with {r} respondents and {e} "
                f"experiments; {w} warning(s).")
    return (f"Ingelezen: dataset '{ds.name}'{_subset(ds, lang)} met {r} respondenten en {e} "
            f"experimenten; {w} waarschuwing(en).")


def coverage(ds: Dataset, lang: str = "nl") -> str:
    n, base = len(ds.covered_municipalities()), cb.N_MUNICIPALITIES_2019
    share = fmt_pct(pct(n, base), lang)
    if _en(lang):
        return (f"Together the respondents speak for {fmt_int(n, lang)} of the "
                f"{fmt_int(base, lang)} municipalities of 1-1-2019: a coverage of {share}.")
    return (f"Samen spreken de respondenten voor {fmt_int(n, lang)} van de {fmt_int(base, lang)} "
            f"gemeenten van 1-1-2019: een dekkingsgraad van {share}.")


def experiments(ds: Dataset, lang: str = "nl") -> str:
    e, r = len(ds.experimenten), len(ds.respondenten)
    k = int(ds.participating().sum())
    share = fmt_pct(pct(k, r), lang)
    if _en(lang):
        return (f"The data hold {fmt_int(e, lang)} experiments and pilots of {fmt_int(k, lang)} "
                f"respondents; {share} of the {fmt_int(r, lang)} respondents undertake at least "
                "one experiment.")
    return (f"In de gegevens staan {fmt_int(e, lang)} experimenten en pilots van "
            f"{fmt_int(k, lang)} respondenten; {share} van de {fmt_int(r, lang)} respondenten "
            "onderneemt minstens één experiment.")


def participation(table: Table, lang: str = "nl") -> str:
    """The type that most often undertakes an experiment (`indicators.participation_by_type`)."""
    m = table.meta
    rows = table.data[table.data["code"].ne(m["total"])].dropna(subset=["pct"])
    if rows.empty:
        return ""
    top = rows.iloc[0]
    ci = f"{fmt_pct(top['ci_low'], lang)}–{fmt_pct(top['ci_high'], lang)}"
    c = f"{100 * m['confidence']:g}"
    if _en(lang):
        return (f"Relatively, {top['category']} respondents most often undertake an experiment: "
                f"{fmt_int(top['n'], lang)} of {fmt_int(top['base'], lang)} "
                f"({fmt_pct(top['pct'], lang)}, {c}% CI {ci}).")
    return (f"Naar verhouding ondernemen respondenten van het type {top['category']} het vaakst "
            f"een experiment: {fmt_int(top['n'], lang)} van de {fmt_int(top['base'], lang)} "
            f"({fmt_pct(top['pct'], lang)}, {c}%-BI {ci}).")


def shares(table: Table, lang: str = "nl", top: int | None = None) -> str:
    """'Label (x%), label (y%) and label (z%) of all <base>', in the table's order."""
    from shv_analysis.analysis.tables import words

    w = words(lang)
    data = table.data[table.data["code"].ne("totaal")]
    if top:
        data = data.head(top)
    parts = [f"{row['category']} ({fmt_pct(row['pct'], lang)})"
             for _, row in data.iterrows()]
    of = "of all" if _en(lang) else "van alle"
    base = table.base.split(" ", 1)[-1] if table.base.startswith(w["all"] + " ") else table.base
    return f"{table.title}: {_join(parts, lang)} {of} {fmt_int(table.n, lang)} {base}."


def most_common(table: Table, lang: str = "nl") -> str:
    """The first (most frequent) category of a table sorted as the report sorts."""
    data = table.data[table.data["code"].notna() & table.data["code"].ne("totaal")]
    if data.empty or not table.n:
        return ""
    row = data.iloc[0]
    if _en(lang):
        return (f"{table.title}: most frequent is {row['category']}, "
                f"{fmt_int(row['n'], lang)} of {fmt_int(table.n, lang)} "
                f"({fmt_pct(row['pct'], lang)}).")
    return (f"{table.title}: het vaakst {row['category']}, "
            f"{fmt_int(row['n'], lang)} van de {fmt_int(table.n, lang)} "
            f"({fmt_pct(row['pct'], lang)}).")


def partners(ds: Dataset, lang: str = "nl") -> str:
    exp = ds.experimenten
    n = len(exp)
    any_partner = int(exp[cb.multi_columns("partners")].any(axis=1).sum())
    signal = int(exp[[cb.multi_column("partners", c) for c in cb.SIGNAL_PARTNERS]]
                 .any(axis=1).sum())
    names = _join([cb.pilot_field("partners").code_label(c, lang).lower()
                   for c in cb.SIGNAL_PARTNERS], lang).replace(" and ", " or ").replace(
        " en ", " of ")
    if _en(lang):
        return (f"In {fmt_int(any_partner, lang)} of {fmt_int(n, lang)} experiments "
                f"({fmt_pct(pct(any_partner, n), lang)}) parties besides the municipality are "
                f"involved; in {fmt_int(signal, lang)} ({fmt_pct(pct(signal, n), lang)}) a signal "
                f"partner ({names}).")
    return (f"Bij {fmt_int(any_partner, lang)} van de {fmt_int(n, lang)} experimenten "
            f"({fmt_pct(pct(any_partner, n), lang)}) zijn naast de gemeente andere partijen "
            f"betrokken; bij {fmt_int(signal, lang)} ({fmt_pct(pct(signal, n), lang)}) een "
            f"signaalpartner ({names}).")


def _single_shares(ds: Dataset, field_name: str) -> tuple[dict[str, int], int]:
    values = ds.experimenten[field_name]
    return {c: int(values.eq(c).sum()) for c in cb.pilot_field(field_name).code_list}, len(values)


def effect_measurement(ds: Dataset, lang: str = "nl") -> str:
    k, n = _single_shares(ds, "effectmeting")
    p = {c: fmt_pct(pct(v, n), lang) for c, v in k.items()}
    if _en(lang):
        return (f"A structural effectiveness measurement is planned for {p['ja']} of the "
                f"{fmt_int(n, lang)} experiments; for {p['nee']} there are no concrete plans and "
                f"for {p['onbekend']} the respondent could not say.")
    return (f"Bij {p['ja']} van de {fmt_int(n, lang)} experimenten is een structurele "
            f"effectiviteitsmeting voorzien; bij {p['nee']} zijn er geen concrete plannen en bij "
            f"{p['onbekend']} kon de respondent het niet zeggen.")


def goals(ds: Dataset, lang: str = "nl") -> str:
    values = ds.experimenten["doelen_geformuleerd"]
    k, n = int(values.fillna(False).astype(bool).sum()), len(values)
    if _en(lang):
        return (f"Concrete ambitions or goals were set beforehand for {fmt_int(k, lang)} of the "
                f"{fmt_int(n, lang)} experiments ({fmt_pct(pct(k, n), lang)}).")
    return (f"Bij {fmt_int(k, lang)} van de {fmt_int(n, lang)} experimenten "
            f"({fmt_pct(pct(k, n), lang)}) zijn vooraf concrete ambities of doelen geformuleerd.")


def transferable(ds: Dataset, lang: str = "nl") -> str:
    k, n = _single_shares(ds, "overdraagbaar")
    if _en(lang):
        return (f"According to the respondents {fmt_pct(pct(k['ja'], n), lang)} of the "
                f"{fmt_int(n, lang)} experiments ({fmt_int(k['ja'], lang)}) is transferable or "
                "scalable to other municipalities, or is already being transferred.")
    return (f"Volgens de respondenten is {fmt_pct(pct(k['ja'], n), lang)} van de "
            f"{fmt_int(n, lang)} experimenten ({fmt_int(k['ja'], lang)}) overdraagbaar of "
            "opschaalbaar naar andere gemeenten, of gebeurt dat al.")


def reproduction(table: Table, lang: str = "nl") -> str:
    """Summary of `indicators.reproduction`: how many published figures match."""
    v = table.meta.get("verdicts", {})
    ok, near, off = (fmt_int(v.get(k, 0), lang) for k in ("ok", "near", "off"))
    if _en(lang):
        return (f"Of the {fmt_int(table.n, lang)} published figures {ok} are reproduced, {near} "
                f"within the documented 1-point tolerance and {off} differ.")
    return (f"Van de {fmt_int(table.n, lang)} gepubliceerde cijfers worden er {ok} "
            f"gereproduceerd, {near} binnen de gedocumenteerde marge van 1 procentpunt en {off} "
            "wijken af.")



def crosstabs(ds: Dataset, lang: str = "nl", min_cell: int = 0) -> str:
    """Intro of the cross-tab section: what is compared, how small the groups are, whether
    the tables are illustrations (synthetic data) and whether small cells are suppressed."""
    e, r = len(ds.experimenten), len(ds.respondenten)
    orgs = int(ds.experimenten["respondent_id"].nunique())
    if _en(lang):
        text = (f"These cross-tabs compare the {fmt_int(e, lang)} experiments of "
                f"{fmt_int(orgs, lang)} organisations (and the {fmt_int(r, lang)} respondents) "
                "between groups; with groups this small the intervals are wide, a test finds "
                "only large differences and an association says nothing about cause and "
                "effect.")
        if ds.synthetic:
            text += (" The data are synthetic: these cross-tabs, tests and the model are an "
                     "illustration of the method, not findings; the combinations of "
                     "characteristics per experiment were invented.")
        if min_cell:
            text += (f" Counts below {fmt_int(min_cell, lang)}, and counts from which they "
                     f"could be derived, are suppressed (<{fmt_int(min_cell, lang)}).")
        else:
            text += " Small counts are not suppressed here (interactive exploration)."
        return text
    text = (f"Deze kruistabellen vergelijken de {fmt_int(e, lang)} experimenten van "
            f"{fmt_int(orgs, lang)} organisaties (en de {fmt_int(r, lang)} respondenten) tussen "
            "groepen; bij zulke kleine groepen zijn de intervallen breed, vindt een toets alleen "
            "grote verschillen en zegt een samenhang niets over oorzaak en gevolg.")
    if ds.synthetic:
        text += (" Dit zijn synthetische data: deze kruistabellen, toetsen en het model zijn "
                 "een illustratie van de methode, geen bevinding; de combinaties van kenmerken "
                 "per experiment zijn verzonnen.")
    if min_cell:
        text += (f" Aantallen onder {fmt_int(min_cell, lang)} en aantallen waaruit ze terug te "
                 f"rekenen zijn, zijn onderdrukt (<{fmt_int(min_cell, lang)}).")
    else:
        text += " Kleine aantallen zijn hier niet onderdrukt (interactief verkennen)."
    return text


def evaluation_model(table: Table, lang: str = "nl") -> str:
    """What the clustered model (`crosstab.evaluation_model`) can and cannot say."""
    result = table.meta.get("result")
    if result is None:
        return ("The model could not be estimated on these data (see the table); only the "
                "cross-tabs above remain." if _en(lang) else
                "Het model is op deze data niet te schatten (zie de tabel); alleen de "
                "kruistabellen hierboven blijven over.")
    rows = result.table
    clear = int(((rows["ci_low"] > 1) | (rows["ci_high"] < 1)).sum())
    n, k = fmt_int(result.n_obs, lang), fmt_int(result.n_clusters, lang)
    if _en(lang):
        text = (f"The model uses {n} experiments in {k} organisations and allows for "
                "experiments of one organisation being related; for "
                f"{fmt_int(clear, lang)} of the {fmt_int(len(rows), lang)} terms the 95% "
                "interval excludes 1. The odds ratios are associations with all other terms "
                "held equal, not effects: the model cannot rule out other differences between "
                "organisations.")
        if table.notice:
            text += " On synthetic data the model is an illustration only, not a finding."
        return text
    text = (f"Het model gebruikt {n} experimenten in {k} organisaties en houdt er rekening mee "
            "dat experimenten van één organisatie samenhangen; bij "
            f"{fmt_int(clear, lang)} van de {fmt_int(len(rows), lang)} termen ligt 1 buiten het "
            "95%-interval. De odds ratio's zijn samenhangen bij gelijke overige termen, geen "
            "effecten: het model sluit andere verschillen tussen organisaties niet uit.")
    if table.notice:
        text += " Op synthetische data is het model alleen een illustratie, geen bevinding."
    return text
