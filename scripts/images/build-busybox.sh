#!/bin/bash
# Builds a minimal Linux zone image from the host's static busybox (Debian busybox-static), offline.
#
# usage: scripts/images/build-busybox.sh <outdir>
#
# Produces, from one rootfs tarball:
#   <outdir>/busybox-<version>.tar.gz     the rootfs (gzip, GNU tar, numeric owners root:root)
#   <outdir>/busybox-<version>.json       type zone-dataset, name "busybox"    (joyent sparse zones)
#   <outdir>/busybox-lx-<version>.json    type lx-dataset,   name "busybox-lx" (requirements.brand lx)
# Two manifests rather than one because an image has exactly one type and one uuid; both point at the
# same file, and each installs as its own dataset. <version> is busybox's upstream version.
#
# uuids are derived from the tarball (see image_uuid in lib.sh), and the tarball is reproducible
# (sorted entries, mtimes clamped to the busybox binary's mtime or SOURCE_DATE_EPOCH, gzip -n), so
# rebuilding from the same busybox gives the same files and uuids. published_at is that same instant.
#
# Init: /sbin/init is busybox init with our /etc/inittab. As pid 1 of a container it runs
# /etc/init.d/rcS, reaps orphans, and on SIGTERM (what a runtime sends on stop; also what busybox
# `reboot` sends) runs the shutdown entry, signals every process, then exits: busybox >= 1.30 exits
# after reboot(2) instead of looping, and reboot(2) inside a pid namespace either ends the namespace
# or fails with EPERM, so the container stops in about three seconds either way. `halt` and `poweroff`
# send SIGUSR1/SIGUSR2 and stop it the same way.
#
# For joyent zones the host's /usr, /lib*, /bin and /sbin are mounted read-only over the image, so the
# parts that matter there are the writable ones: /etc, /var, /root, /home, /opt. The busybox binaries
# make the same tree work standalone as an lx image.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 <outdir>" >&2; exit 2; }
outdir=$1
busybox=${BUSYBOX:-/bin/busybox}

[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
if ! file -b "$busybox" 2>/dev/null | grep -q 'statically linked'; then
    if ldd "$busybox" >/dev/null 2>&1; then
        die "$busybox is dynamically linked; the image needs busybox-static"
    fi
fi
version=$("$busybox" 2>&1 | sed -n '1s/^BusyBox v\([0-9][0-9.]*\).*/\1/p')
[ -n "$version" ] || die "cannot tell the version of $busybox"
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$busybox")}

mkdir -p "$outdir"
work=$(mktemp -d "${TMPDIR:-/tmp}/busybox-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
umask 022

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,root,home,opt,dev,proc,sys,run,mnt}
mkdir -p "$root"/var/{svc,log,run,spool,lib,tmp} "$root"/tmp
chmod 1777 "$root"/tmp "$root"/var/tmp
chmod 0700 "$root"/root
cp "$busybox" "$root"/bin/busybox
chmod 0755 "$root"/bin/busybox

# Every applet where busybox itself would install it; the list below must be among them.
"$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    ln -sf /bin/busybox "$root/$applet"
done
required="sh ash ls cat echo sleep hostname id ps mount umount mkdir rm cp mv ln uname head tail grep sed
awk wc dd df du free kill top ip ping wget nc vi env true false test [ chmod chown touch date init halt
poweroff reboot"
for applet in $required; do
    found=
    for dir in bin sbin usr/bin usr/sbin; do
        [ -L "$root/$dir/$applet" ] && found=1
    done
    [ -n "$found" ] || die "busybox at $busybox lacks the '$applet' applet"
done

cat >"$root"/etc/passwd <<'X'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
X
cat >"$root"/etc/group <<'X'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
wheel:x:10:root
users:x:100:
nogroup:x:65534:
X
cat >"$root"/etc/shadow <<'X'
root:*:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
bin:*:19000:0:99999:7:::
sys:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
X
chmod 0640 "$root"/etc/shadow
echo busybox >"$root"/etc/hostname
cat >"$root"/etc/hosts <<'X'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
X
: >"$root"/etc/resolv.conf
echo '/bin/sh' >"$root"/etc/shells
cat >"$root"/etc/profile <<'X'
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PS1='\h:\w\$ '
X
cat >"$root"/etc/os-release <<X
NAME="BusyBox"
ID=busybox
VERSION_ID="$version"
PRETTY_NAME="BusyBox $version (Solstice image)"
HOME_URL="https://busybox.net/"
X
cat >"$root"/etc/inittab <<'X'
# busybox init. No getty: a container's console is the runtime's pty.
::sysinit:/etc/init.d/rcS
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/init.d/rcK
X
cat >"$root"/etc/init.d/rcS <<'X'
#!/bin/sh
# Runs once at boot: hostname, then every executable /etc/rc.d/S* in order, then /etc/rc.local.
[ -s /etc/hostname ] && hostname -F /etc/hostname 2>/dev/null
for script in /etc/rc.d/S*; do
    [ -x "$script" ] && "$script" start
done
[ -x /etc/rc.local ] && /etc/rc.local
exit 0
X
cat >"$root"/etc/init.d/rcK <<'X'
#!/bin/sh
# Runs at shutdown: every executable /etc/rc.d/K* in order, then sync.
for script in /etc/rc.d/K*; do
    [ -x "$script" ] && "$script" stop
done
sync
exit 0
X
mkdir -p "$root"/etc/rc.d
chmod 0755 "$root"/etc/init.d/rcS "$root"/etc/init.d/rcK

tarball=$outdir/busybox-$version.tar.gz
pack_rootfs "$root" "$tarball" "$epoch" --owner=0 --group=0
sha1=$(sha1sum "$tarball" | cut -d' ' -f1)
size=$(stat -c %s "$tarball")
published=$(iso_date "$epoch")

zone_uuid=$(image_uuid busybox zone-dataset "$sha1")
lx_uuid=$(image_uuid busybox-lx lx-dataset "$sha1")
write_manifest "$outdir/busybox-$version.json" "$zone_uuid" busybox "$version" zone-dataset "" \
    "$published" "$sha1" "$size" "BusyBox $version: a minimal zone image for joyent sparse zones"
write_manifest "$outdir/busybox-lx-$version.json" "$lx_uuid" busybox-lx "$version" lx-dataset lx \
    "$published" "$sha1" "$size" "BusyBox $version: a minimal lx image"

echo "$tarball"
echo "$outdir/busybox-$version.json ($zone_uuid, zone-dataset)"
echo "$outdir/busybox-lx-$version.json ($lx_uuid, lx-dataset)"
