# The front door. `make run` and `make test` do all the set-up themselves.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# Debian's Python packages (pytest, gitdb, smmap) import only here.
PYTHON ?= /usr/bin/python3

.PHONY: all deps configure build build-cli run test format clean

all: build

# `make deps-GROUP` installs what GROUP needs (scripts/install-deps.sh);
# `make deps` what `make test` needs.
deps: deps-test
deps-%:
	@scripts/install-deps.sh $*

# Configuring again is cheap and picks up dependencies installed since the
# last time (`make run` needs fewer than `make test`).
CONFIGURE = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPython3_EXECUTABLE=$(PYTHON) >/dev/null

configure: deps-test
	$(CONFIGURE)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The library and the command alone.
build-cli: deps-run
	$(CONFIGURE)
	cmake --build $(BUILD) -j $(JOBS) --target smmap_cli

# The main job on built-in demo data: scan several files, together four times
# larger than the memory limit, through a sliding manager.
run: build-cli
	$(BUILD)/tools/smmap scan

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

format: deps-format
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan build-tsan build-m32 build-fuzz build-thread-safety build-python build-windows build-arm64 build-deb dist

# The C++ tests under sanitizers, each build in its own directory
# (build-asan, build-tsan); the consumer tests, which link an uninstrumented
# program, are left out.
SANITIZE_asan = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
SANITIZE_tsan = -fsanitize=thread
CHECK_CMAKE_OPTIONS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMMAP_BUILD_PYTHON=OFF -DSMMAP_BUILD_BENCHMARKS=OFF
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

.PHONY: test-asan test-tsan
test-asan test-tsan: test-%: deps-sanitizers
	cmake -S . -B build-$* $(CHECK_CMAKE_OPTIONS) -DSMMAP_CHECK_INVARIANTS=ON -DCMAKE_CXX_FLAGS="$(SANITIZE_$*)"
	cmake --build build-$* -j $(JOBS)
	$(SANITIZER_ENV) ctest --test-dir build-$* --output-on-failure -j $(JOBS) -LE consumer

# Benchmarks, never part of `make test` (there they only build). `make bench`
# runs the Google Benchmark programs and `smmap bench` (default, and with
# 2 MiB windows with and without large-page alignment), writes their JSON to
# docs/benchmarks/ and draws the chart; `make bench-python` compares the
# Python package with Debian's python3-smmap. docs/benchmarks.md explains.
BENCH_DIR ?= docs/benchmarks
BENCH_ALIGN = $(BUILD)/tools/smmap bench --window 2M --max-memory 32M --pattern random --pattern clustered \
  --strategy sliding --strategy whole-map --strategy pread --repeat 2 --json

.PHONY: bench bench-python bench-gitdb
bench: deps-bench build
	@mkdir -p $(BENCH_DIR)
	$(BUILD)/benchmarks/smmap_benchmarks --benchmark_min_time=0.2 --benchmark_repetitions=3 \
	  --benchmark_report_aggregates_only=true --benchmark_out_format=json \
	  --benchmark_out=$(BENCH_DIR)/micro.json
	$(BUILD)/tools/smmap bench --repeat 2 --json > $(BENCH_DIR)/smmap_bench.json
	$(BENCH_ALIGN) --align-large-windows off > $(BENCH_DIR)/align_off.json
	$(BENCH_ALIGN) --align-large-windows on > $(BENCH_DIR)/align_on.json
	$(PYTHON) scripts/bench_chart.py $(BENCH_DIR)

bench-python: deps-bench build
	@mkdir -p $(BENCH_DIR)
	$(PYTHON) scripts/bench_python.py --build $(BUILD) --json $(BENCH_DIR)/python.json

# gitdb and GitPython on a generated repository of 114,305 objects (made once
# with git fast-import and git gc, kept in $(BUILD)/bench-gitdb): Debian's
# python3-smmap against this package, alternating processes.
bench-gitdb: deps-bench-gitdb build
	@mkdir -p $(BENCH_DIR)
	$(PYTHON) scripts/bench_gitdb.py --build $(BUILD) --json $(BENCH_DIR)/gitdb.json

# The C++ tests and the command built with -m32 in build-m32, so the 32-bit
# defaults (64 MiB windows, 1024 MiB of memory) really run; GoogleTest is
# built from source there, as Debian's libgtest is 64-bit only, and the
# programs run under qemu-i386 where the kernel cannot run 32-bit programs
# (cmake/m32.cmake; the command-line tests then start the command under it).
.PHONY: test-m32
test-m32: deps-m32
	cmake -S . -B build-m32 $(CHECK_CMAKE_OPTIONS) -DCMAKE_CXX_FLAGS=-m32 -DCMAKE_C_FLAGS=-m32 \
	  -DCMAKE_PROJECT_smmap_INCLUDE=$(CURDIR)/cmake/m32.cmake
	cmake --build build-m32 -j $(JOBS)
	ctest --test-dir build-m32 --output-on-failure -j $(JOBS) -LE consumer

# ARM64 Linux: the library, the C++ tests, the example and the smmap command
# cross-built with g++-aarch64-linux-gnu in build-arm64
# (cmake/aarch64-linux-gnu.cmake; GoogleTest from Debian's sources,
# cmake/googletest-from-source.cmake) and run under qemu-aarch64, the
# command-line tests included (this machine's pytest runs the command under
# the emulator). docs/design.md, "Platforms, and how each is tested", says
# what qemu cannot show.
ARM64_CMAKE_OPTIONS = -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/aarch64-linux-gnu.cmake \
  -DCMAKE_PROJECT_smmap_INCLUDE=$(CURDIR)/cmake/googletest-from-source.cmake
.PHONY: test-arm64
test-arm64: deps-arm64
	cmake -S . -B build-arm64 $(CHECK_CMAKE_OPTIONS) $(ARM64_CMAKE_OPTIONS)
	cmake --build build-arm64 -j $(JOBS)
	@echo "Not run for ARM64: the consumer tests, which build programs with this machine's compiler."
	ctest --test-dir build-arm64 --output-on-failure -j $(JOBS) -LE consumer

# Windows: the library, the C++ tests, the example and the smmap command
# cross-built with MinGW-w64 in build-windows (cmake/mingw-w64.cmake) and run
# under Wine, in a Wine prefix of that directory made on first use
# (cmake/windows.cmake). The consumer tests and the pytest command-line tests,
# which need a Python for Windows, are left out; the command and the example
# run on their own. Tests that need POSIX (signals, truncating a mapped file,
# the POSIX seam) are skipped there with their reason.
WINE = /usr/lib/wine/wine64
WINDOWS_ENV = WINEPREFIX=$(CURDIR)/build-windows/wineprefix WINEDEBUG=-all
.PHONY: test-windows
test-windows: deps-windows
	cmake -S . -B build-windows $(CHECK_CMAKE_OPTIONS) \
	  -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/mingw-w64.cmake \
	  -DCMAKE_PROJECT_smmap_INCLUDE=$(CURDIR)/cmake/windows.cmake
	@test -f build-windows/wineprefix/system.reg || { echo "Preparing the Wine prefix (once)"; \
	  $(WINDOWS_ENV) WINEDLLOVERRIDES="mscoree,mshtml=" $(WINE) wineboot -i; }
	cmake --build build-windows -j $(JOBS)
	@# One Wine server for every test program (it stays 60 s after the last).
	$(WINDOWS_ENV) /usr/lib/wine/wineserver -p60
	@# Wine now and then fails to start a program (it ends at once, printing
	@# nothing): a test that fails runs once more, and ctest reports both runs.
	ctest --test-dir build-windows --output-on-failure -j $(JOBS) -LE consumer --repeat until-pass:2

# The libFuzzer target (clang, ASan and UBSan) in build-fuzz. `make fuzz` runs
# it for FUZZ_SECONDS from the seed corpus in fuzz/corpus, keeping what it
# finds in build-fuzz/corpus; `make fuzz-ci` replays the seeds and fuzzes 20 s.
FUZZ_SECONDS ?= 60
FUZZER = build-fuzz/smmap_operations_fuzzer
FUZZ_OPTIONS = -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=build-fuzz/

.PHONY: fuzz fuzz-build fuzz-ci
fuzz-build: deps-fuzz
	cmake -S fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
	cmake --build build-fuzz -j $(JOBS)

fuzz: fuzz-build
	mkdir -p build-fuzz/corpus
	$(FUZZER) $(FUZZ_OPTIONS) -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus fuzz/corpus

fuzz-ci: fuzz-build
	$(FUZZER) $(FUZZ_OPTIONS) fuzz/corpus/*
	mkdir -p build-fuzz/corpus
	$(FUZZER) $(FUZZ_OPTIONS) -max_total_time=20 build-fuzz/corpus fuzz/corpus

# The Python package, installed as Python packages are (pyproject.toml; Debian's
# pip, setuptools and wheel; offline):  pip install --no-build-isolation .
# `make python-install VENV=dir` does that into the virtual environment dir,
# made with --system-site-packages (for Debian's wheel and gitdb) if missing.
PIP_INSTALL = --no-build-isolation --no-index --no-deps
.PHONY: python-install test-python-install
python-install: deps-python-install
	@test -n "$(VENV)" || { echo "usage: make python-install VENV=<directory>"; exit 2; }
	@test -x "$(VENV)/bin/python" || $(PYTHON) -m venv --system-site-packages "$(VENV)"
	SMMAP_BUILD_JOBS=$(JOBS) "$(VENV)/bin/pip" install $(PIP_INSTALL) .
	"$(VENV)/bin/python" -c 'import smmap; assert smmap.__backend__ == "c++"; print("smmap installed:", smmap.__file__)'

# The installed package, not the build tree: a fresh venv, pip install from
# this checkout, `pip check` of smmap with Debian's gitdb, then the project's pytest
# suite and gitdb's own tests, both run from outside the checkout. Debian's
# python3-gitdb ships gitdb's tests without their fixtures (packs, loose
# objects), so the tests that read them are deselected.
INSTALL_VENV ?= $(BUILD)/venv-install
GITDB_NEEDS_FIXTURES = test_example.py::TestExamples::test_base test_pack.py::TestPack::test_pack \
  test_pack.py::TestPack::test_pack_entity test_pack.py::TestPack::test_pack_index \
  test_stream.py::TestStream::test_decompress_reader_special_case
test-python-install: deps-python-install
	rm -rf $(INSTALL_VENV)
	$(MAKE) --no-print-directory python-install VENV=$(INSTALL_VENV)
	$(call check_installed_python,$(INSTALL_VENV))

# The checks of the package installed in the virtual environment $(1).
define check_installed_python
	@# pip check sees Debian's whole dist-packages too; what concerns smmap must be clean
	$(1)/bin/pip check | { ! grep -i smmap; }
	@# Debian's gitdb lists no requirements; upstream gitdb 4.0.9 asks smmap>=3.0.1,<6
	$(1)/bin/python -c 'from importlib.metadata import version; from packaging.specifiers import \
	  SpecifierSet; assert version("smmap") in SpecifierSet(">=3.0.1,<6"), version("smmap")'
	cd $(1) && bin/python -c 'import smmap, sys; assert smmap.__file__.startswith(sys.prefix), smmap.__file__'
	cd $(1) && bin/python -m pytest -q -p no:cacheprovider $(CURDIR)/python/tests
	cd $(1) && bin/python -m pytest -q -p no:cacheprovider --pyargs gitdb.test \
	  $(addprefix --deselect ,$(GITDB_NEEDS_FIXTURES))
endef

# The Python distributions, built offline with Debian's tools (python3 -m
# build, no isolation) into dist/: `make sdist` the source archive,
# `make wheel` the wheel of this machine's Python and platform.
# `make test-python-dist` builds both as a distributor does (the sdist, then
# the wheel from the unpacked sdist, so the sdist must be complete), installs
# each into a fresh virtual environment, and runs the checks above.
DIST ?= dist
DIST_TEST = $(BUILD)/python-dist
PYTHON_BUILD = SMMAP_BUILD_JOBS=$(JOBS) $(PYTHON) -m build --no-isolation
.PHONY: sdist wheel test-python-dist
sdist: deps-python-install
	$(PYTHON_BUILD) --sdist --outdir $(DIST) .
wheel: deps-python-install
	$(PYTHON_BUILD) --wheel --outdir $(DIST) .
test-python-dist: deps-python-install
	rm -rf $(DIST_TEST)
	$(PYTHON_BUILD) --outdir $(DIST_TEST)/dist .
	$(PYTHON) -m venv --system-site-packages $(DIST_TEST)/venv-sdist
	SMMAP_BUILD_JOBS=$(JOBS) $(DIST_TEST)/venv-sdist/bin/pip install $(PIP_INSTALL) $(DIST_TEST)/dist/smmap-*.tar.gz
	$(call check_installed_python,$(DIST_TEST)/venv-sdist)
	$(PYTHON) -m venv --system-site-packages $(DIST_TEST)/venv-wheel
	$(DIST_TEST)/venv-wheel/bin/pip install $(PIP_INSTALL) $(DIST_TEST)/dist/smmap-*.whl
	$(call check_installed_python,$(DIST_TEST)/venv-wheel)


# Debian packages (debian/): libsmmap0 (the shared library), libsmmap-dev
# (headers, static library, CMake and pkg-config files) and smmap-tools (the
# command and its manual page), built by dpkg-buildpackage from a copy of the
# checkout in build-deb/ (the .debs land there, not beside the checkout) and
# checked by lintian, which must report no error. `make test-deb` installs
# them, builds and runs a consumer against them, and removes them again
# (scripts/test-deb.sh).
DEB_DIR = build-deb
.PHONY: deb test-deb
deb: deps-deb
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/smmap
	git ls-files --cached --others --exclude-standard | while IFS= read -r f; do \
	  [ -e "$$f" ] && printf '%s\n' "$$f"; done | tar -cf - -T - | tar -xf - -C $(DEB_DIR)/smmap
	cd $(DEB_DIR)/smmap && DEB_BUILD_OPTIONS=parallel=$(JOBS) dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEB_DIR)/*.changes

test-deb: deb
	scripts/test-deb.sh $(DEB_DIR)

# The library built by clang with its thread-safety analysis as errors: every
# member marked GUARDED_BY is touched only with its mutex held, and every
# function marked REQUIRES is called with it (src/util/thread_annotations.hpp).
.PHONY: test-thread-safety
test-thread-safety: deps-thread-safety
	cmake -S . -B build-thread-safety -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
	  -DSMMAP_BUILD_TESTS=OFF -DSMMAP_BUILD_TOOLS=OFF -DSMMAP_BUILD_EXAMPLES=OFF \
	  -DSMMAP_BUILD_BENCHMARKS=OFF -DSMMAP_BUILD_PYTHON=OFF -DCMAKE_CXX_FLAGS="-Wthread-safety -Werror"
	cmake --build build-thread-safety -j $(JOBS)
