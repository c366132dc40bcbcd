#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those that
# are missing. Runs apt-get as root (or through sudo).
set -euo pipefail

packages=(
  cmake make g++ clang clang-format   # compilers and formatting
  libgtest-dev                        # C++ tests
  libbenchmark-dev                    # micro-benchmarks
  pybind11-dev python3-dev            # the Python module
  python3-pytest                      # Python tests
  python3-venv                        # make python-install makes a venv
  python3-pip python3-setuptools python3-wheel python3-build python3-packaging python3-nose
                                      # pip install / python3 -m build of pyproject.toml, offline;
                                      # `make test-python-install` (gitdb's tests import nose)
  python3-smmap python3-gitdb         # the reference smmap, and gitdb for the drop-in test
  python3-matplotlib                  # the benchmark chart
  git python3-git                     # the gitdb test makes a repository; make bench-gitdb (GitPython)
  g++-multilib googletest qemu-user   # `make test-m32`: 32-bit g++, GoogleTest sources, and
                                      # an emulator where the kernel cannot run 32-bit programs
  clang-14 libclang-rt-14-dev         # `make fuzz`: libFuzzer and the sanitizer runtimes
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
