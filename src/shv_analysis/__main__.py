"""`python -m shv_analysis` runs the `shv` command."""

import sys

from shv_analysis.cli import main

sys.exit(main())
