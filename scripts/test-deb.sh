#!/usr/bin/env bash
# Installs the Debian packages that `make deb` built in DIR, checks what each
# holds as a user of it would, and removes them again (also on failure):
#   scripts/test-deb.sh DIR
# libsmmap0 + libsmmap-dev: a consumer built against /usr through
# find_package(smmap) (shared and static) and pkg-config, run
# (tests/consumer/run.cmake, mode "installed"). smmap-tools: the command runs
# and reports the project's version, and `man smmap` finds its page.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath "$1")
packages=(libsmmap0 libsmmap-dev smmap-tools)
version=$(sed -n 's/^project(smmap VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

remove() { $sudo apt-get purge -y -qq "${packages[@]}" >/dev/null || true; }
trap remove EXIT
debs=()
for package in "${packages[@]}"; do debs+=("$dir/${package}_${version}_"*.deb); done
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${debs[@]}"

for package in "${packages[@]}"; do
  installed=$(dpkg-query -W -f='${Version}' "$package")
  [ "$installed" = "$version" ] || { echo "$package $installed is installed, not $version" >&2; exit 1; }
done
[ "$(/usr/bin/smmap --version)" = "smmap $version" ] || { echo "smmap --version is wrong" >&2; exit 1; }
/usr/bin/smmap scan | tail -n 1
man -w smmap | grep -q "/usr/share/man/man1/smmap.1" || { echo "man smmap finds no page" >&2; exit 1; }
cmake -DMODE=installed -DPREFIX=/usr -DLIBDIR="lib/$multiarch" -DSOURCE_DIR="$PWD" \
  -DWORK_DIR="$dir/consumer" -DCXX=g++ -P tests/consumer/run.cmake
echo "The Debian packages of smmap $version install and work."
