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
