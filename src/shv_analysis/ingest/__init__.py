"""Reading spreadsheets into a validated `Dataset`: readers, privacy, reference, validation."""
