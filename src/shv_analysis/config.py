"""Paths inside the project, taken from the package location (never the working directory)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATA = DATA_DIR / "synthetic"
PUBLISHED_FIGURES = DATA_DIR / "published" / "published_figures.csv"
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
OUTPUT_DIR = PROJECT_ROOT / "outputs"
