# Two commands on a fresh machine with Python 3.11 and pip:
#   make report   set up .venv (if missing) and render the report of the embedded dataset to outputs/
#   make test     set up .venv (if missing) and run the tests
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lint format lab bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name shv-analysis --display-name "shv-analysis (Python 3)" >/dev/null
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/shv report --out outputs

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/report_vs_serial.py && $(BIN)/python benchmarks/scale.py && $(BIN)/python benchmarks/maps.py && $(BIN)/python benchmarks/styled_empty_rows.py

clean:
	rm -rf $(VENV) outputs/*/
