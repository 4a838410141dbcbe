"""Visual constants shared by charts, maps and workbooks (one notice colour)."""

#: The colour of the synthetic-data notice, as ``#RRGGBB`` (workbooks take it without ``#``).
NOTICE_COLOR = "#B00020"
