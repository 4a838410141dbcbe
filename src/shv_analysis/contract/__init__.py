"""The data contract: codebook (fields, codes, labels, coding rules) and problem reports."""
