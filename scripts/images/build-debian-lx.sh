#!/bin/bash
# Builds a Debian 12 (bookworm) minbase lx image with debootstrap, booting its own init: systemd
# (systemd-sysv gives /sbin/init) and dbus, as SmartOS's Debian lx images do. Needs root and a mirror.
#
# usage: scripts/images/build-debian-lx.sh <outdir> [mirror]
#   mirror defaults to $DEBIAN_MIRROR, else the first deb.debian.org-style URI in this host's apt
#   sources, else http://deb.debian.org/debian. Installs debootstrap with apt-get when it is missing.
#
# Produces:
#   <outdir>/debian-12-<yyyymmdd>.tar.gz   the rootfs (gzip, GNU tar, numeric owners as debootstrap left them)
#   <outdir>/debian-12-<yyyymmdd>.json     type lx-dataset, name "debian-12", os linux, requirements.brand lx
# SOURCE_DATE_EPOCH (default: now) fixes the tarball's mtimes, version day and published_at.
# <yyyymmdd> is the build day (UTC); the uuid is derived from the tarball's sha1 (image_uuid in lib.sh).
# The build tree is removed afterwards, also on failure, after unmounting anything debootstrap left.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 <outdir> [mirror]" >&2; exit 2; }
outdir=$1
suite=bookworm

host_mirror() {
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v -- '-security' | head -1 | tr -d ' ' || true
}
mirror=${2:-${DEBIAN_MIRROR:-$(host_mirror)}}
mirror=${mirror:-http://deb.debian.org/debian}

[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
if ! command -v debootstrap >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
        die "cannot install debootstrap"
fi

mkdir -p "$outdir"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/debian-lx.XXXXXX")
root=$work/root
cleanup() {
    # debootstrap mounts proc and sys in the target while it runs; never rm -rf across a mount.
    grep -oE " $root/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done || true
    if grep -q " $root/" /proc/mounts; then
        echo "$(basename "$0"): leaving $work: still mounted" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

echo "debootstrap --variant=minbase --include=systemd-sysv,dbus $suite from $mirror" >&2
debootstrap --variant=minbase --include=systemd-sysv,dbus "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }

# What every zone gets from the runtime or at first boot, not from the image.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
rm -f "$root"/etc/hostname "$root"/etc/resolv.conf "$root"/etc/ssh/ssh_host_*
: >"$root"/etc/machine-id
echo "deb $mirror $suite main" >"$root"/etc/apt/sources.list
mkdir -p "$root"/var/svc
chmod 1777 "$root"/tmp "$root"/var/tmp
# systemd in a zone: nothing to do for units that manage a machine's hardware or kernel, which the
# host owns (the zone has no udev devices, no kernel modules, no swap, no console font). Masked
# rather than removed, so `systemctl unmask` brings them back. getty@tty1 stays: its
# ConditionPathExists=/dev/tty0 skips it in a zone, where console-getty serves /dev/console.
[ -x "$root/lib/systemd/systemd" ] || die "systemd is missing from the image"
for unit in systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
    systemd-udev-trigger.service systemd-udev-settle.service systemd-modules-load.service \
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
    systemd-remount-fs.service getty-static.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
done

epoch=${SOURCE_DATE_EPOCH:-$(date -u +%s)}
day=$(date -u -d "@$epoch" +%Y%m%d)
base=debian-12-$day
tarball=$outdir/$base.tar.gz
pack_rootfs "$root" "$tarball" "$epoch"
sha1=$(sha1sum "$tarball" | cut -d' ' -f1)
size=$(stat -c %s "$tarball")
uuid=$(image_uuid debian-12 lx-dataset "$sha1")
write_manifest "$outdir/$base.json" "$uuid" debian-12 "$day" lx-dataset lx "$(iso_date "$epoch")" \
    "$sha1" "$size" "Debian 12 (bookworm) minbase with systemd, debootstrap from $mirror"

echo "$tarball"
echo "$outdir/$base.json ($uuid, lx-dataset)"
