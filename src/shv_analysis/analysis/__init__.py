"""Numbers from a dataset: tables, figures, indicators, statistics, cross-tabs, suppression."""
