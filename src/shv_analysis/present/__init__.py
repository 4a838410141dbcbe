"""How numbers are shown: formatting, text catalogue, narrative, charts, maps, export."""
