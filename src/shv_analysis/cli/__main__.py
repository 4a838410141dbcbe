"""`python -m shv_analysis.cli` runs the `shv` command."""

import sys

from shv_analysis.cli import main

sys.exit(main())
