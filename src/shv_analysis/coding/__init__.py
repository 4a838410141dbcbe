"""Assisted coding: keyword suggestions, decisions, agreement, intake workbooks."""
