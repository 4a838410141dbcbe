"""Intake: the public names of the template, worksheet, decisions and agreement modules.

Kept so that `from shv_analysis.coding import intake; intake.agreement_tables(ds, lang)` (the
notebooks) and older code keep working. New code imports the module of one concern:

- `coding.template`: the Excel intake template (`shv template OUT.xlsx`);
- `coding.worksheet`: the coding worksheet (`shv code DATA --out WORKSHEET.xlsx`);
- `coding.decisions`: the decisions file and applying it when a dataset is loaded;
- `coding.agreement`: agreement between suggestions and coded values (Cohen's kappa).

The workflow is described in docs/intake.md; the commands live in `cli.template` and
`cli.code`.
"""

from __future__ import annotations

from shv_analysis.coding.agreement import agreement_tables, cohens_kappa
from shv_analysis.coding.decisions import (
    DECISION_COLUMNS,
    DECISIONS_NAME,
    apply_decisions,
    check_decisions,
    code_decision,
    decidable_fields,
    decision_hook,
    decisions_step,
    default_decisions_path,
    empty_decisions,
    merge_decisions,
    read_decisions,
    write_decisions,
)
from shv_analysis.coding.suggestions import AMBIGUOUS, NONE, SUGGESTED, suggest_pilots
from shv_analysis.coding.template import (
    EXPLANATION_SHEET,
    TEMPLATE_ROWS,
    YES_NO_LIST,
    TemplateColumn,
    template_columns,
    write_template,
)
from shv_analysis.coding.workbook import CODEBOOK_SHEET, write_codebook_sheet
from shv_analysis.coding.worksheet import (
    INFO_SHEET,
    WORKSHEET_COLUMNS,
    WORKSHEET_SHEET,
    default_worksheet_path,
    raw_pilots,
    read_worksheet,
    worksheet_rows,
    write_worksheet,
)

__all__ = [
    "AMBIGUOUS",
    "CODEBOOK_SHEET",
    "DECISIONS_NAME",
    "DECISION_COLUMNS",
    "EXPLANATION_SHEET",
    "INFO_SHEET",
    "NONE",
    "SUGGESTED",
    "TEMPLATE_ROWS",
    "WORKSHEET_COLUMNS",
    "WORKSHEET_SHEET",
    "YES_NO_LIST",
    "TemplateColumn",
    "agreement_tables",
    "apply_decisions",
    "check_decisions",
    "code_decision",
    "cohens_kappa",
    "decidable_fields",
    "decision_hook",
    "decisions_step",
    "default_decisions_path",
    "default_worksheet_path",
    "empty_decisions",
    "merge_decisions",
    "raw_pilots",
    "read_decisions",
    "read_worksheet",
    "suggest_pilots",
    "template_columns",
    "worksheet_rows",
    "write_codebook_sheet",
    "write_decisions",
    "write_template",
    "write_worksheet",
]
