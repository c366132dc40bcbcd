# The front door. `make run` and `make test` do all the set-up themselves.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# Debian's Python packages (pytest, gitdb, smmap) import only here.
PYTHON ?= /usr/bin/python3

.PHONY: all deps configure build run test test-cpp test-python format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPython3_EXECUTABLE=$(PYTHON)

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job on built-in demo data: scan several files, together four times
# larger than the memory limit, through a sliding manager.
run: build
	$(BUILD)/tools/smmap scan

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD)

# Benchmarks, never part of `make test` (there they only build). `make bench`
# runs the Google Benchmark programs and `smmap bench` (default, and with
# 2 MiB windows with and without large-page alignment), writes their JSON to
# docs/benchmarks/ and draws the chart; `make bench-python` compares the
# Python package with Debian's python3-smmap. docs/benchmarks.md explains.
BENCH_DIR ?= docs/benchmarks
BENCH_ALIGN = $(BUILD)/tools/smmap bench --window 2M --max-memory 32M --pattern random --pattern clustered \
  --strategy sliding --strategy whole-map --strategy pread --repeat 2 --json

.PHONY: bench bench-python
bench: build
	@mkdir -p $(BENCH_DIR)
	$(BUILD)/benchmarks/smmap_benchmarks --benchmark_min_time=0.2 --benchmark_repetitions=3 \
	  --benchmark_report_aggregates_only=true --benchmark_out_format=json \
	  --benchmark_out=$(BENCH_DIR)/micro.json
	$(BUILD)/tools/smmap bench --repeat 2 --json > $(BENCH_DIR)/smmap_bench.json
	$(BENCH_ALIGN) --align-large-windows off > $(BENCH_DIR)/align_off.json
	$(BENCH_ALIGN) --align-large-windows on > $(BENCH_DIR)/align_on.json
	$(PYTHON) scripts/bench_chart.py $(BENCH_DIR)

bench-python: build
	@mkdir -p $(BENCH_DIR)
	$(PYTHON) scripts/bench_python.py --build $(BUILD) --json $(BENCH_DIR)/python.json

# Installs the Python package smmap into the virtual environment VENV, made
# with $(PYTHON) -m venv when it does not exist yet. Offline; nothing is
# downloaded.   make python-install VENV=$$HOME/venvs/work
.PHONY: python-install
python-install: build
	@test -n "$(VENV)" || { echo "usage: make python-install VENV=<directory>"; exit 2; }
	@test -x "$(VENV)/bin/python" || $(PYTHON) -m venv "$(VENV)"
	cmake --install $(BUILD) --component python --prefix \
	  "$$("$(VENV)/bin/python" -c 'import sysconfig; print(sysconfig.get_path("platlib"))')"
	"$(VENV)/bin/python" -c 'import smmap; assert smmap.__backend__ == "c++"; print("smmap installed:", smmap.__file__)'
