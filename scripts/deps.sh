#!/usr/bin/env bash
# Installs the Debian packages Solstice needs at run and test time (root, Debian 12).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(btrfs-progs runc nftables iproute2 iperf3 busybox-static debootstrap tar gzip xz-utils zstd bzip2 util-linux procps ca-certificates docker-registry skopeo)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] || [ "${SOLSTICE_APT_UPDATE:-0}" = 1 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
if ! command -v dotnet >/dev/null; then
    echo "solstice: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
    exit 1
fi
