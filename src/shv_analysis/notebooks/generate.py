"""Write the section notebooks of `shv report` (run: `.venv/bin/python notebooks/generate.py`).

The notebooks are generated so that they stay small, uniform and free of outputs: markdown
text (Dutch; the English text travels in the cell metadata `shv.en` and `shv report --lang
en` swaps it in), one cell tagged `parameters`, and short code cells that only call the
library. Markdown states no numbers: every number shown comes from the data through
`shv_analysis.narrative` (sentences) or a Table. Edit the text here and rerun; `--check`
exits 1 when a notebook differs from what this script would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

# jsonschema (under nbformat) would build an IRI grammar for ~3 s; unused here.
sys.modules.setdefault("rfc3987_syntax", None)
import nbformat  # noqa: E402

HERE = Path(__file__).resolve().parent

PARAMETERS = '''\
data = None  # pad naar een .xlsx-bestand of map, None is de ingebouwde synthetische dataset
lang = "nl"  # taal van tabellen, figuren en zinnen: "nl" of "en"
subset = None  # deel van de data, zie de toelichting hierboven
output_dir = None  # map voor tabellen en figuren, None is niets bewaren'''

SETUP = '''\
import shv_analysis as shv
from shv_analysis.analysis import indicators, tables
from shv_analysis.present import narrative
from shv_analysis.section import Section

ds = shv.load(data, subset=subset)
sec = Section("{name}", output_dir, lang)
sec.notice(ds)'''

USAGE = (
    "*Parameters in de cel hieronder: `data`, `lang`, `subset` (een deel van de data als "
    "`VELD=WAARDE`, bijvoorbeeld `provincie=Utrecht`) en `output_dir`. In batch: `shv report` "
    "of papermill met `-p`.*",
    "*Parameters in the cell below: `data`, `lang`, `subset` (part of the data as "
    "`FIELD=VALUE`, for example `provincie=Utrecht`) and `output_dir`. In batch: `shv report` "
    "or papermill with `-p`.*",
)


def md(nl: str, en: str) -> tuple[str, str, str]:
    return ("markdown", nl.strip(), en.strip())


def code(source: str) -> tuple[str, str]:
    return ("code", source.strip("\n"))


def head(name: str, title_nl: str, title_en: str, intro_nl: str, intro_en: str,
         parameters: str = PARAMETERS, setup: str = SETUP, usage: tuple = USAGE) -> list:
    return [
        md(f"# {title_nl}\n\n{intro_nl}\n\n{usage[0]}",
           f"# {title_en}\n\n{intro_en}\n\n{usage[1]}"),
        ("parameters", parameters),
        code(setup.format(name=name)),
    ]


NOTEBOOKS: dict[str, list] = {}

NOTEBOOKS["00_datakwaliteit"] = head(
    "00_datakwaliteit", "Datakwaliteit", "Data quality",
    "Wat is er ingelezen, welke waarschuwingen gaf de controle en hoe volledig is elk veld? "
    "Lees dit eerst: de andere secties rekenen met precies deze records.",
    "What was read, which warnings did the check give and how complete is each field? Read "
    "this first: the other sections compute with exactly these records.",
) + [
    md("## Ingelezen records", "## Records read"),
    code("sec.table(indicators.records(ds, lang))"),
    md("## Waarschuwingen\n\nWaarschuwingen houden de analyse niet tegen, maar verdienen een "
       "blik. Persoonsgegevens (contactpersoon, telefoon, e-mail) worden nooit ingelezen; "
       "e-mailadressen en telefoonnummers in vrije tekst zijn gemaskeerd.",
       "## Warnings\n\nWarnings do not stop the analysis but deserve a look. Personal data "
       "(contact person, phone, e-mail) are never read; e-mail addresses and phone numbers in "
       "free text are masked."),
    code("sec.table(indicators.warnings_table(ds, lang))"),
    md("## Ontbrekende waarden per veld\n\nVoor velden met meer antwoorden telt een record als "
       "ontbrekend wanneer geen enkele optie is aangevinkt.",
       "## Missing values per field\n\nFor multiple-answer fields a record counts as missing "
       "when no option is ticked."),
    code("sec.table(indicators.missing_values(ds, lang))"),
    md("## Codering: suggesties en beslissingen\n\nWaar de trefwoordregels uit het codeboek "
       "een code voorstellen én een onderzoeker een code koos (of typte), staat hier hoe vaak "
       "die overeenkomen (met Cohens kappa) en bij welke records ze verschillen. Zie "
       "`docs/intake.md`.",
       "## Coding: suggestions and decisions\n\nWhere the keyword rules of the codebook "
       "suggest a code and a researcher chose (or typed) one, this shows how often they agree "
       "(with Cohen's kappa) and which records differ. See `docs/intake.md`."),
    code("from shv_analysis.coding import intake\n"
         "for name, table in intake.agreement_tables(ds, lang).items():\n"
         "    sec.table(table, key=name)"),
]

NOTEBOOKS["01_overzicht"] = head(
    "01_overzicht", "Overzicht pilots en experimenten", "Overview of pilots and experiments",
    "Hoeveel gemeenten de inventarisatie dekt, wie er geraadpleegd is, welk deel van de "
    "respondenten een experiment onderneemt en waarom gemeenten ermee beginnen.",
    "How many municipalities the inventory covers, who was consulted, which share of the "
    "respondents undertakes an experiment and why municipalities start one.",
) + [
    md("## Dekking\n\nDe kaart toont per gemeente of er een gesprek was met de gemeente zelf, "
       "alleen via een samenwerkingsverband, of niet. Aantallen gemeenten staan in de legenda.",
       "## Coverage\n\nThe map shows for each municipality whether the municipality itself was "
       "interviewed, only through a cooperation, or not at all. The legend gives the number of "
       "municipalities."),
    code("sec.text(narrative.coverage(ds, lang))\nsec.table(indicators.coverage(ds, lang))\n"
         'sec.map(ds, "dekking")'),
    md("## Respondenten en deelname naar type\n\nDeelname is het aandeel respondenten van een "
       "type dat minstens één experiment onderneemt. De foutbalken zijn "
       "betrouwbaarheidsintervallen volgens Wilson; het niveau staat in de voetnoot.",
       "## Respondents and participation by type\n\nParticipation is the share of respondents "
       "of a type that undertakes at least one experiment. The error bars are Wilson "
       "confidence intervals; the footnote gives the level."),
    code("sec.text(narrative.experiments(ds, lang))\n"
         "sec.table(tables.respondents_by_type(ds, lang))\n"
         "deelname = indicators.participation_by_type(ds, lang)\n"
         "sec.text(narrative.participation(deelname, lang))\n"
         "sec.show(deelname)"),
    md("## Experimenten naar type respondent\n\nWelk deel van alle experimenten plaatsvindt "
       "bij elk type respondent.",
       "## Experiments by respondent type\n\nWhich share of all experiments takes place at "
       "each type of respondent."),
    code("per_type = indicators.experiments_by_type(ds, lang)\n"
         "sec.text(narrative.shares(per_type, lang))\nsec.show(per_type)"),
    md("## Aanleidingen\n\nGemeenten hebben verschillende redenen om met een pilot of "
       "experiment te starten. Meer antwoorden per experiment zijn mogelijk.",
       "## Reasons for starting\n\nMunicipalities have different reasons to start a pilot or "
       "experiment. More than one answer per experiment is possible."),
    code('sec.show(indicators.as_reported(ds, "aanleidingen", lang))'),
    md("## Waar lopen experimenten?\n\nGemeenten met een eigen experiment, met een experiment "
       "via hun samenwerkingsverband, gesproken zonder experiment, en niet bereikt. Een kaart "
       "noemt nooit de titel van het experiment van één gemeente.",
       "## Where do experiments run?\n\nMunicipalities with an experiment of their own, with one "
       "through their cooperation, interviewed without experiment, and not covered. A map never "
       "names the title of a single municipality's experiment."),
    code('sec.map(ds, "pilots")'),
]

NOTEBOOKS["02_kenmerken"] = head(
    "02_kenmerken", "Kenmerken experimenten en pilots", "Characteristics of experiments and "
    "pilots",
    "Welke soorten experimenten er zijn, welke fasen van schuldhulpverlening ze bestrijken, of "
    "ze zich op een specifieke doelgroep richten en welke partijen meedoen.",
    "Which kinds of experiments there are, which phases of debt assistance they cover, whether "
    "they target a specific group and which parties take part.",
) + [
    md("## Typen experimenten\n\nGesorteerd zoals het rapport sorteert: van vaak naar weinig, "
       "met Overig onderaan.",
       "## Types of experiments\n\nSorted as the report sorts: from frequent to rare, with "
       "Other at the bottom."),
    code('typen = indicators.as_reported(ds, "type", lang)\n'
         "sec.text(narrative.most_common(typen, lang))\nsec.show(typen)"),
    md("## Fasen van schuldhulpverlening\n\nIn de volgorde van het hulpverleningsproces. Een "
       "experiment kan meer fasen omvatten.",
       "## Phases of debt assistance\n\nIn the order of the assistance process. An experiment "
       "can cover more than one phase."),
    code('fasen = indicators.as_reported(ds, "fasen", lang)\n'
         "sec.text(narrative.shares(fasen, lang))\nsec.show(fasen)"),
    md("## Specifieke doelgroepen\n\nDe meeste experimenten richten zich op mensen met (een "
       "risico op) schulden in het algemeen; hier staat welk deel zich specifiek op een groep "
       "richt.",
       "## Specific target groups\n\nMost experiments address people with (a risk of) debts in "
       "general; this shows which share targets a specific group."),
    code('doelgroepen = indicators.as_reported(ds, "doelgroepen", lang)\n'
         "sec.text(narrative.shares(doelgroepen, lang))\nsec.show(doelgroepen)"),
    md("## Samenwerkingspartners\n\nSignaalpartners zijn woningcorporaties, zorgverzekeraars "
       "en nutsbedrijven.",
       "## Partners\n\nSignal partners are housing associations, health insurers and utility "
       "companies."),
    code("sec.text(narrative.partners(ds, lang))\n"
         'sec.show(indicators.as_reported(ds, "partners", lang))\n'
         'sec.table(indicators.as_reported(ds, "signaalpartner", lang))'),
    md("## Type experiment per gemeente\n\nHet type dat in een gemeente het vaakst voorkomt; "
       "experimenten van een samenwerkingsverband tellen mee voor elke deelnemende gemeente.",
       "## Type of experiment by municipality\n\nThe type that occurs most often in a "
       "municipality; experiments of a cooperation count for every member municipality."),
    code('sec.map(ds, "type")'),
]

NOTEBOOKS["03_effecten"] = head(
    "03_effecten", "Effecten experimenten en pilots", "Effects of experiments and pilots",
    "Welke effecten gemeenten zien of verwachten, of er een structurele effectiviteitsmeting "
    "is voorzien en of er vooraf concrete doelen zijn geformuleerd.",
    "Which effects municipalities see or expect, whether a structural effectiveness "
    "measurement is planned and whether concrete goals were set beforehand.",
) + [
    md("## (Verwachte) effecten\n\nMeer antwoorden per experiment mogelijk; gesorteerd van vaak "
       "naar weinig genoemd.",
       "## (Expected) effects\n\nMore than one answer per experiment; sorted from most to least "
       "mentioned."),
    code('effecten = indicators.as_reported(ds, "verwachte_effecten", lang)\n'
         "sec.text(narrative.most_common(effecten, lang))\nsec.show(effecten)"),
    md("## Effectiviteitsmeting\n\nIs er een structurele meting van de effectiviteit voorzien?",
       "## Effectiveness measurement\n\nIs a structural measurement of effectiveness planned?"),
    code("sec.text(narrative.effect_measurement(ds, lang))\n"
         'sec.show(indicators.as_reported(ds, "effectmeting", lang))'),
    md("## Vooraf geformuleerde doelen\n\nZonder concrete ambities of doelen vooraf is het "
       "lastig om daadwerkelijke effecten te meten.",
       "## Goals set beforehand\n\nWithout concrete ambitions or goals set beforehand it is "
       "hard to measure actual effects."),
    code("sec.text(narrative.goals(ds, lang))\n"
         'sec.show(indicators.as_reported(ds, "doelen_geformuleerd", lang))'),
]

NOTEBOOKS["04_lessen"] = head(
    "04_lessen", "Leerervaringen en zelf aan de slag", "Lessons learned and getting started",
    "Of experimenten overdraagbaar zijn, hoe het staat met de planevaluatie, en de lessen en "
    "actiepunten uit het rapport.",
    "Whether experiments are transferable, how plan evaluation stands, and the report's lessons "
    "and action points.",
) + [
    md("## Overdraagbaarheid\n\nIs het experiment overdraagbaar of opschaalbaar naar andere "
       "gemeenten of ketenpartijen, of gebeurt dat al?",
       "## Transferability\n\nIs the experiment transferable or scalable to other "
       "municipalities or partners in the chain, or is that already happening?"),
    code("sec.text(narrative.transferable(ds, lang))\n"
         'sec.show(indicators.as_reported(ds, "overdraagbaar", lang))'),
    md("## Planevaluatie\n\nEen planevaluatie vooraf helpt vast te stellen of een pilot "
       "effectief kan zijn voordat je begint: welk probleem los je op, wat is de gewenste "
       "uitkomst, wie is de doelgroep, wat is de theoretische basis en welke effecten verwacht "
       "je concreet? Daarvoor zijn vooraf geformuleerde doelen nodig.",
       "## Plan evaluation\n\nA plan evaluation beforehand helps establish whether a pilot can "
       "be effective before you start: which problem does it solve, what is the desired "
       "outcome, who is the target group, what is the theoretical basis and which effects do "
       "you concretely expect? That needs goals set beforehand."),
    code("sec.text(narrative.goals(ds, lang))\n"
         'sec.table(indicators.as_reported(ds, "doelen_geformuleerd", lang))'),
    md("## Lessen uit het proces van pilots\n\n"
       "- **Toerusten en betrokken houden.** Zorg dat wie het experiment uitvoert goed is "
       "toegerust (bijvoorbeeld gesprekstechnieken of technische vaardigheden) en blijf hen "
       "motiveren.\n"
       "- **Actief communiceren.** Communiceer tijdens het experiment actief met alle "
       "betrokkenen; dat helpt ook bij verwachtingsmanagement.\n"
       "- **Durven investeren.** Investeer tijd, energie en geld zonder meteen resultaten te "
       "verwachten.\n\n"
       "## Lessen uit de uitvoering\n\n"
       "- **Persoonlijke aandacht.** Zoek inwoners actief op, met een outreachende aanpak.\n"
       "- **Vraaggericht werken.** Kijk naar wat een inwoner nodig heeft en bied waar mogelijk "
       "maatwerk, in plaats van eerst te kijken wat beleidsmatig beschikbaar is.",
       "## Lessons on the process of pilots\n\n"
       "- **Equip and involve.** Make sure the people who run the experiment are well equipped "
       "(for example conversation techniques or technical skills) and keep them motivated.\n"
       "- **Communicate actively.** Communicate actively with everyone involved during the "
       "experiment; this also helps to manage expectations.\n"
       "- **Dare to invest.** Invest time, energy and money without expecting results right "
       "away.\n\n"
       "## Lessons on delivery\n\n"
       "- **Personal attention.** Seek residents out actively, with an outreaching approach.\n"
       "- **Demand-led work.** Look at what a resident needs and offer tailored support where "
       "possible, instead of first looking at what policy makes available."),
    md("## Zelf aan de slag: actiepunten\n\n"
       "- **Maak een plan.** Bepaal speerpunt en doelgroep en leg de ambities vast; kijk naar "
       "voorbeelden bij vergelijkbare gemeenten of in de regio; maak ruimte voor een "
       "planevaluatie.\n"
       "- **Blijf betrokken.** Communiceer met inwoners en medewerkers en houd ze enthousiast; "
       "monitor of alles loopt zoals gepland; deel informatie met partijen in de keten, ook "
       "met andere gemeenten.\n"
       "- **Evalueer.** Maak effecten zichtbaar, zodat ook het bestuur overtuigd raakt; durf te "
       "doen en leer voor de toekomst.\n\n"
       "*Lessen en actiepunten kort samengevat uit het rapport Experimenten en pilots "
       "schuldhulpverlening; ze komen uit de gesprekken en kennisbijeenkomsten, niet uit deze "
       "dataset.*",
       "## Getting started: action points\n\n"
       "- **Make a plan.** Choose the focus and target group and record the ambitions; look at "
       "examples from similar municipalities or the region; make room for a plan evaluation.\n"
       "- **Stay involved.** Communicate with residents and staff and keep them enthusiastic; "
       "monitor whether everything goes as planned; share information with partners in the "
       "chain, including other municipalities.\n"
       "- **Evaluate.** Make effects visible, so that administrators are convinced too; dare "
       "to act and learn for the future.\n\n"
       "*Lessons and action points briefly summarised from the report Experimenten en pilots "
       "schuldhulpverlening; they come from the interviews and knowledge meetings, not from "
       "this dataset.*"),
]

CROSSTAB_PARAMETERS = PARAMETERS + """
min_cell = None  # kleinste getoonde aantal: None is 5 bij export (output_dir gezet), anders 0"""

CROSSTAB_SETUP = SETUP.replace("indicators, tables", "crosstab").replace(
    'Section("{name}", output_dir, lang)', 'Section("{name}", output_dir, lang, min_cell=min_cell)')

CROSSTAB_USAGE = (
    "*Parameters in de cel hieronder: `data`, `lang`, `subset` (een deel van de data als "
    "`VELD=WAARDE`, bijvoorbeeld `provincie=Utrecht`), `output_dir` en `min_cell` (kleine "
    "aantallen onderdrukken: standaard alleen bij export, dus als `output_dir` gezet is). In "
    "batch: `shv report` of papermill met `-p`.*",
    "*Parameters in the cell below: `data`, `lang`, `subset` (part of the data as "
    "`FIELD=VALUE`, for example `provincie=Utrecht`), `output_dir` and `min_cell` (suppress "
    "small counts: by default only when exporting, that is when `output_dir` is set). In "
    "batch: `shv report` or papermill with `-p`.*",
)


def crosstab_cells(*pairs: tuple[str, str]) -> tuple[str, str]:
    """One code cell showing the cross-tab of each (row, col) pair through `sec.crosstab`."""
    return code("\n".join(f'sec.crosstab(crosstab.crosstab(ds, "{row}", "{col}", lang))'
                          for row, col in pairs))


NOTEBOOKS["05_kruistabellen"] = head(
    "05_kruistabellen", "Extra kruistabellen", "Extra cross-tabs",
    "Kenmerken van experimenten naar groep: plannen voor een effectmeting naar type respondent "
    "en inwonersaantal, naar vooraf geformuleerde doelen en naar overdraagbaarheid; type, "
    "fasen, doelgroepen en partijen naar type; deelname naar inwonersaantal; en een model dat "
    "rekening houdt met experimenten van dezelfde organisatie. Elke tabel toont het percentage "
    "van de kolombasis met een betrouwbaarheidsinterval, de toets, en wat je bij dit aantal "
    "wel en niet kunt concluderen.",
    "Characteristics of experiments by group: plans for an effectiveness measurement by "
    "respondent type and population class, by goals set beforehand and by transferability; "
    "type, phases, target groups and parties by type; participation by population class; and "
    "a model that allows for experiments of the same organisation. Each table shows the "
    "percentage of the column base with a confidence interval, the test, and what can and "
    "cannot be concluded at this number of observations.",
    parameters=CROSSTAB_PARAMETERS, setup=CROSSTAB_SETUP, usage=CROSSTAB_USAGE,
) + [
    md("## Lezen en niet overlezen\n\nKruistabellen op zo'n kleine inventarisatie laten zien "
       "waar verschillen zouden kunnen zitten, niet dat ze er zijn. Experimenten van één "
       "organisatie hangen samen; de toetsen behandelen ze als onafhankelijk, het model aan het "
       "eind niet. In een rapport zijn kleine aantallen onderdrukt.",
       "## Reading without over-reading\n\nCross-tabs of an inventory this small show where "
       "differences might be, not that they are there. Experiments of one organisation are "
       "related; the tests treat them as independent, the model at the end does not. In a "
       "report small counts are suppressed."),
    code("sec.text(narrative.crosstabs(ds, lang, sec.min_cell))"),
    md("## Effectmeting naar type respondent en inwonersaantal\n\nDe kerntabel: is er een "
       "structurele effectiviteitsmeting voorzien, per type respondent en per inwonersaantal "
       "van de gemeente(n) van de respondent?",
       "## Effectiveness measurement by respondent type and population class\n\nThe headline "
       "table: is a structural effectiveness measurement planned, by respondent type and by "
       "the population class of the respondent's municipality or municipalities?"),
    crosstab_cells(("effectmeting", "respondenttype"), ("effectmeting", "grootteklasse")),
    md("## Effectmeting en vooraf geformuleerde doelen\n\nWie vooraf doelen formuleert, kan "
       "effecten ook meten. Gaan die twee in deze gegevens samen?",
       "## Effectiveness measurement and goals set beforehand\n\nSetting goals beforehand "
       "makes effects measurable. Do the two go together in these data?"),
    crosstab_cells(("effectmeting", "doelen_geformuleerd")),
    md("## Type experiment naar type respondent", "## Type of experiment by respondent type"),
    crosstab_cells(("type", "respondenttype")),
    md("## Fasen naar type experiment\n\nMeer fasen per experiment mogelijk: elke fase is "
       "apart getoetst, met een correctie voor het aantal toetsen (Holm).",
       "## Phases by type of experiment\n\nMore than one phase per experiment: each phase is "
       "tested separately, corrected for the number of tests (Holm)."),
    crosstab_cells(("fasen", "type")),
    md("## Doelgroepen naar type experiment\n\nOnder meer: welke typen experimenten richten "
       "zich op jongeren?",
       "## Target groups by type of experiment\n\nAmong other things: which types of "
       "experiment address young people?"),
    crosstab_cells(("doelgroepen", "type")),
    md("## Betrokken partijen naar type experiment", "## Parties involved by type of experiment"),
    crosstab_cells(("partners", "type")),
    md("## Overdraagbaarheid naar effectmeting\n\nZijn experimenten met een geplande "
       "effectmeting vaker overdraagbaar?",
       "## Transferability by effectiveness measurement\n\nAre experiments with a planned "
       "effectiveness measurement more often transferable?"),
    crosstab_cells(("overdraagbaar", "effectmeting")),
    md("## Deelname naar inwonersaantal\n\nWelk deel van de respondenten onderneemt minstens "
       "één experiment, per inwonersaantal? Hier zijn respondenten de eenheid, niet "
       "experimenten.",
       "## Participation by population class\n\nWhich share of the respondents undertakes at "
       "least one experiment, by population class? Here respondents are the unit, not "
       "experiments."),
    crosstab_cells(("deelname", "grootteklasse")),
    md("## Geclusterd model: kans op een geplande effectmeting\n\nEen logistische regressie "
       "van een geplande effectmeting op inwonersaantal, type experiment en vooraf "
       "geformuleerde doelen, met standaardfouten die rekening houden met experimenten van "
       "dezelfde organisatie. Zeldzame typen en kleine inwonersklassen zijn samengevoegd; de "
       "voetnoot noemt de referentiecategorieën.",
       "## Clustered model: odds of a planned effectiveness measurement\n\nA logistic "
       "regression of a planned effectiveness measurement on population class, type of "
       "experiment and goals set beforehand, with standard errors that allow for experiments "
       "of the same organisation. Rare types and small population classes are pooled; the "
       "footnote names the reference categories."),
    code("model = crosstab.evaluation_model(ds, lang)\nsec.table(model)\n"
         "sec.text(narrative.evaluation_model(model, lang))"),
]

NOTEBOOKS["99_reproductie"] = head(
    "99_reproductie", "Reproductie van de gepubliceerde cijfers",
    "Reproduction of the published figures",
    "Elk cijfer dat het rapport publiceert, opnieuw berekend uit de data en vergeleken met de "
    "gepubliceerde waarde.",
    "Every figure the report publishes, recomputed from the data and compared with the "
    "published value.",
) + [
    md("## Gepubliceerd tegen gereproduceerd\n\nAantallen moeten exact kloppen; een percentage "
       "moet afgerond (half naar boven) op het gepubliceerde gehele getal uitkomen. Voor de "
       "aandelen van de experimenten naar type respondent geldt de gedocumenteerde marge van "
       "`shv reproduce`. Op een "
       "deel van de data (subset) wijken de cijfers uiteraard af.",
       "## Published against reproduced\n\nCounts must match exactly; a percentage must round "
       "(half up) to the published whole number. The shares of experiments by respondent type "
       "have the documented tolerance of `shv reproduce`. On a subset of the data the figures "
       "naturally differ."),
    code("repro = indicators.reproduction(ds, lang)\n"
         "sec.text(narrative.reproduction(repro, lang))\nsec.table(repro)"),
]


def build(name: str, cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                       "language": "python"},
        "language_info": {"name": "python"},
    }
    out = []
    for i, cell in enumerate(cells):
        cid = f"{name.split('_', 1)[0]}-{i:02d}"
        if cell[0] == "markdown":
            out.append(nbformat.v4.new_markdown_cell(cell[1], id=cid,
                                                     metadata={"shv": {"en": cell[2]}}))
        elif cell[0] == "parameters":
            out.append(nbformat.v4.new_code_cell(cell[1], id=cid,
                                                 metadata={"tags": ["parameters"]}))
        else:
            out.append(nbformat.v4.new_code_cell(cell[1], id=cid))
    nb.cells = out
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    differ = []
    for name, cells in NOTEBOOKS.items():
        path = HERE / f"{name}.ipynb"
        text = render(build(name, cells))
        if check:
            if not path.is_file() or path.read_text("utf-8") != text:
                differ.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if differ:
        print("out of date (run notebooks/generate.py):", ", ".join(differ))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
