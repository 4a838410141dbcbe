"""Where things are: package data (embedded dataset, published figures, notebooks, templates)
through `importlib.resources`, and the checkout's folders when run from one.

Nothing here depends on the working directory, except `OUTPUT_DIR` outside a checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The installed package folder (a real folder: the package is never imported from a zip).
PACKAGE_DIR = Path(str(resources.files("shv_analysis")))

#: Package data shipped in the wheel.
DATA_DIR = PACKAGE_DIR / "data"
DEFAULT_DATA = DATA_DIR / "synthetic"
PUBLISHED_FIGURES = DATA_DIR / "published" / "published_figures.csv"
NOTEBOOK_DIR = PACKAGE_DIR / "notebooks"
TEMPLATE_DIR = PACKAGE_DIR / "templates"


def _checkout_root() -> Path | None:
    """The repository root when the package runs from a source checkout (src layout), else None."""
    root = PACKAGE_DIR.parent.parent
    return (
        root if (root / "pyproject.toml").is_file() and PACKAGE_DIR.parent.name == "src" else None
    )


#: The checkout root, or None for an installed wheel.
PROJECT_ROOT: Path | None = _checkout_root()

#: Default report folder: `outputs/` of the checkout, else `outputs/` in the working directory.
OUTPUT_DIR = (PROJECT_ROOT or Path.cwd()) / "outputs"

#: Default folder for a user's own reference download (`shv reference download`).
USER_REFERENCE_DIR = (PROJECT_ROOT or Path.cwd()) / "data" / "reference"
