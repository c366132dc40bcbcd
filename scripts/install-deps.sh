#!/usr/bin/env bash
# Installs the Debian packages that the named make targets need, only those
# that are missing:   scripts/install-deps.sh run test ...
# Each group below lists what its target needs beyond the groups it names
# first; README.md's dependency table says why each package is there.
# Runs apt-get as root (or through sudo).
set -euo pipefail

declare -A group=(
  # `make run`: the library and the smmap command.
  [run]="cmake make g++"
  # `make test`: the C++ tests, the micro-benchmarks (built, not run), the
  # Python module and its tests (against the reference smmap and gitdb, with
  # a repository made by git), the command-line tests, the install tests
  # (pkg-config) and the manual page's (groff).
  [test]="run libgtest-dev libbenchmark-dev pybind11-dev python3-dev python3-pytest
          python3-smmap python3-gitdb git pkgconf groff-base"
  # `make bench`, `make bench-python`: the chart.
  [bench]="test python3-matplotlib"
  # `make test-asan`, `make test-tsan`: the C++ and command-line tests
  # (groff for the manual page's).
  [sanitizers]="run libgtest-dev python3-pytest groff-base"
  # `make test-m32`: 32-bit g++, GoogleTest's sources (Debian's library is
  # 64-bit only), an emulator where the kernel cannot run 32-bit programs,
  # and what the command-line tests need (pytest; groff for the manual page's).
  [m32]="run g++-multilib googletest qemu-user python3-pytest groff-base"
  # `make test-windows`: the MinGW-w64 cross compiler with the posix thread
  # model (std::thread, std::mutex), GoogleTest's sources to build for
  # Windows, and Wine to run the programs.
  [windows]="cmake make g++-mingw-w64-x86-64-posix googletest wine64"
  # `make test-arm64`: the ARM64 cross compiler, GoogleTest's sources to
  # build for ARM64, qemu-aarch64 to run the programs, and what the
  # command-line tests need (pytest; groff for the manual page's).
  [arm64]="run g++-aarch64-linux-gnu googletest qemu-user python3-pytest groff-base"
  # `make fuzz`: libFuzzer and the sanitizer runtimes.
  [fuzz]="run clang-14 libclang-rt-14-dev"
  # `make test-thread-safety`: Clang's thread-safety analysis.
  [thread-safety]="run clang"
  # `make python-install`, `make test-python-install`: pip install and
  # python3 -m build of pyproject.toml, offline, into a virtual environment;
  # gitdb's own tests import nose.
  [python-install]="test python3-venv python3-pip python3-setuptools python3-wheel python3-build
                    python3-packaging python3-nose"
  # `make bench-gitdb`: GitPython walks the generated repository.
  [bench-gitdb]="test python3-git"
  # `make deb`, `make test-deb`: Debian's packaging tools, lintian, and git
  # to copy the checkout.
  [deb]="run debhelper dpkg-dev build-essential lintian git man-db"
  # `make format`.
  [format]="clang-format"
)

declare -A wanted=()
add_group() {
  local name=$1
  [ -n "${group[$name]+x}" ] || { echo "install-deps: unknown group '$name'" >&2; exit 2; }
  local item
  for item in ${group[$name]}; do
    if [ -n "${group[$item]+x}" ]; then add_group "$item"; else wanted[$item]=1; fi
  done
}
[ $# -gt 0 ] || set -- run
for name in "$@"; do add_group "$name"; done

missing=()
for package in "${!wanted[@]}"; do
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
