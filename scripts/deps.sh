#!/usr/bin/env bash
# Installs the Debian packages Solstice needs at run and test time (root, Debian 12).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(btrfs-progs runc nftables bpftrace iproute2 iperf3 busybox-static debootstrap tar gzip xz-utils zstd bzip2 util-linux procps ca-certificates docker-registry skopeo
    # hardware VMs (brands kvm and bhyve) run on QEMU; OVMF is bhyve's bootrom uefi; the rest builds the HVM test guest
    qemu-system-x86 qemu-utils ovmf cpio syslinux mtools dosfstools
    # what cloud-init's metadata client imports (the tests run it in a zone as an independent guest implementation)
    python3 python3-configobj python3-jinja2 python3-jsonpatch python3-jsonschema python3-netifaces python3-oauthlib python3-requests python3-serial python3-yaml)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] || [ "${SOLSTICE_APT_UPDATE:-0}" = 1 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
# cloud-init itself is unpacked, never installed: installed, it would reconfigure this machine at its next boot.
cloud_init=/var/cache/solstice/cloud-init
if [ ! -d "$cloud_init/usr/lib/python3/dist-packages/cloudinit" ]; then
    download=$(mktemp -d)
    chown _apt "$download" 2>/dev/null || true   # apt downloads as its sandbox user
    (cd "$download" && apt-get download -qq cloud-init >/dev/null)
    mkdir -p "$cloud_init.new" && dpkg -x "$download"/cloud-init_*.deb "$cloud_init.new"
    rm -rf "$cloud_init" "$download" && mv "$cloud_init.new" "$cloud_init"
fi
# The Debian lx image (systemd as init) the lx integration tests boot: debootstrap takes 2-5 minutes,
# so it is built once and reused; the directory name changes when the image's recipe does.
# SOLSTICE_SKIP_DEBIAN_IMAGE=1 skips it (those tests then fail, saying so).
debian_image=/var/cache/solstice/images/debian-12-lx-v1
if [ "${SOLSTICE_SKIP_DEBIAN_IMAGE:-0}" != 1 ] && ! ls "$debian_image"/debian-12-*.json >/dev/null 2>&1; then
    rm -rf "$debian_image.new"
    "$(dirname "$0")/images/build-debian-lx.sh" "$debian_image.new" >/dev/null
    rm -rf "$debian_image" && mv "$debian_image.new" "$debian_image"
fi
# The HVM test guest (Debian cloud kernel + busybox initramfs, and a raw disk of both) the QEMU
# integration tests boot: about 15 s, mostly downloading the kernel package, so built once.
hvm_guest=/var/cache/solstice/images/hvm-guest-v1
if [ ! -f "$hvm_guest/initrd.img" ]; then
    rm -rf "$hvm_guest.new"
    "$(dirname "$0")/images/build-hvm-guest.sh" "$hvm_guest.new" >/dev/null
    rm -rf "$hvm_guest" && mv "$hvm_guest.new" "$hvm_guest"
fi
if ! command -v dotnet >/dev/null; then
    echo "solstice: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
    exit 1
fi
