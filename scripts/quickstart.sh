#!/usr/bin/env bash
# The quick start: installs packages, builds and installs Solstice, brings the zones pool
# online (a sparse loop file at /var/lib/solstice/zones.img mounted on /zones unless
# /etc/solstice/node.json says otherwise) and shows the node working.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "quickstart: run as root" >&2; exit 2; }
scripts/deps.sh
scripts/build.sh
prefix=/usr/local/lib/solstice
install -d "$prefix" /usr/local/sbin
install -m 0755 artifacts/bin/solstice "$prefix/solstice"
for tool in solstice vmadm imgadm fwadm zlogin; do
    ln -sf "$prefix/solstice" "/usr/local/sbin/$tool"
done
solstice setup
solstice pool list
solstice dataset list
