#!/bin/bash
# Builds the small HVM test guest from Debian packages, offline apart from `apt-get download`:
# Debian's cloud kernel (linux-image-cloud-amd64) plus a busybox-static initramfs.
#
# usage: scripts/images/build-hvm-guest.sh <outdir>
#
# Produces:
#   <outdir>/vmlinuz        the kernel (direct boot: qemu -kernel/-initrd/-append)
#   <outdir>/initrd.img     gzip'd newc cpio: busybox, /init, the few modules below
#   <outdir>/disk.raw       a raw disk (partitionless FAT with syslinux in its boot sector) holding
#                           both, so the same guest boots from a disk as a SmartOS image would
#                           (only when syslinux and mtools are installed; skipped otherwise)
#   <outdir>/guest.txt      the kernel version and the busybox version it was built from
#
# The cloud kernel has the 8250 serial console, ACPI, DMI (/sys/class/dmi/id) and devtmpfs built
# in; virtio-pci, virtio-blk, evdev and the ACPI button driver are modules, so the initramfs carries
# them (uncompressed: CONFIG_MODULE_COMPRESS_NONE) and /init loads them with busybox insmod.
#
# What /init does, on the serial console (ttyS0, COM1):
#   solstice-guest: init                      the first line init prints (boot-time benchmarks key on it)
#   product: <DMI product_name>               "SmartDC HVM" under Solstice
#   serial: <DMI product_serial>              the VM uuid under Solstice
#   mdata <key>=<value> | mdata <key> <STATUS>
#                                             the metadata key (kernel argument mdata_key=, default
#                                             "solstice-test") read over /dev/ttyS1 (COM2) with the
#                                             SmartOS metadata protocol, version 1 ("GET <key>")
#   solstice-guest: ready                     then waits for the ACPI power button
#   solstice-guest: powerdown                 on the button: poweroff -f (QEMU exits)
# busybox acpid is not used: the button driver's input device is read directly with dd, which
# needs no config files and reacts to the first event (key press).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 <outdir>" >&2; exit 2; }
outdir=$1
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is dynamically linked; the guest needs busybox-static"
command -v cpio >/dev/null || die "cpio not found (apt-get install cpio)"

mkdir -p "$outdir"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/hvm-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
chown _apt "$work" 2>/dev/null || true # apt-get download runs as its sandbox user

# The metapackage names the current ABI's image package; download that one.
kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -1)
[ -n "$kpkg" ] || die "cannot resolve linux-image-cloud-amd64 (apt-get update?)"
(cd "$work" && apt-get download -qq "$kpkg" >/dev/null) || die "apt-get download $kpkg failed"
dpkg-deb -x "$work"/"$kpkg"_*.deb "$work/kernel"
kver=${kpkg#linux-image-}
vmlinuz=$work/kernel/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "$kpkg has no /boot/vmlinuz-$kver"
config=$work/kernel/boot/config-$kver
for opt in SERIAL_8250_CONSOLE ACPI DMIID DEVTMPFS BLK_DEV_INITRD RD_GZIP; do
    grep -q "^CONFIG_$opt=y" "$config" || die "$kpkg lacks CONFIG_$opt=y"
done

root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/modules}
cp "$busybox" "$root/bin/busybox"
for applet in sh cat echo mount insmod sleep dd stty printf poweroff ls grep sed seq; do
    ln -s busybox "$root/bin/$applet"
done
# Load order matters: each module after the ones it needs.
moddir=$work/kernel/lib/modules/$kver/kernel
for m in virtio/virtio virtio/virtio_ring virtio/virtio_pci_legacy_dev virtio/virtio_pci_modern_dev \
    virtio/virtio_pci block/virtio_blk input/evdev acpi/button; do
    src=$moddir/drivers/$m.ko
    [ -f "$src" ] || die "$kpkg has no drivers/$m.ko"
    cp "$src" "$root/lib/modules/"
    echo "$(basename "$m")" >>"$root/lib/modules/order"
done

cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "solstice-guest: init"
echo "product: $(cat /sys/class/dmi/id/product_name)"
echo "serial: $(cat /sys/class/dmi/id/product_serial)"
for m in $(cat /lib/modules/order); do insmod "/lib/modules/$m.ko" 2>/dev/null; done

key=solstice-test
for arg in $(cat /proc/cmdline); do
    case $arg in mdata_key=*) key=${arg#mdata_key=} ;; esac
done
# SmartOS metadata, protocol version 1, over COM2. The host may connect late (QEMU drops what the
# guest writes while nobody listens), so ask again until an answer arrives.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3<>/dev/ttyS1
status=
for attempt in $(seq 1 30); do
    printf 'GET %s\n' "$key" >&3
    if read -t 2 -r status <&3; then
        status=$(echo "$status" | sed 's/\r$//')
        [ -n "$status" ] && break
    fi
done
if [ "$status" = SUCCESS ]; then
    value=
    while read -t 5 -r line <&3; do
        line=$(echo "$line" | sed 's/\r$//')
        [ "$line" = . ] && break
        case $line in ..*) line=${line#.} ;; esac
        value="$value$line"
    done
    echo "mdata $key=$value"
else
    echo "mdata $key ${status:-TIMEOUT}"
fi

echo "solstice-guest: ready"
# The ACPI power button's input device; one event (the press) means power off.
button=
for dev in /sys/class/input/event*; do
    [ "$(cat "$dev/device/name" 2>/dev/null)" = "Power Button" ] && button=/dev/input/${dev##*/} && break
done
if [ -n "$button" ]; then
    dd if="$button" of=/dev/null bs=24 count=1 2>/dev/null
else
    echo "solstice-guest: no power button"
    while :; do sleep 3600; done
fi
echo "solstice-guest: powerdown"
poweroff -f
INIT
chmod 0755 "$root/init"

epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$vmlinuz")}
find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -n -9 >"$work/initrd.img"
cp "$vmlinuz" "$work/vmlinuz"

if command -v syslinux >/dev/null && command -v mcopy >/dev/null && command -v mkfs.vfat >/dev/null; then
    # A superfloppy: FAT from sector 0, syslinux's boot sector in it; SeaBIOS boots it as a disk.
    rm -f "$work/disk.raw"
    mkfs.vfat -n SOLSTICE -C "$work/disk.raw" 65536 >/dev/null
    printf 'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.img\n  APPEND console=ttyS0 quiet\n' >"$work/syslinux.cfg"
    mcopy -i "$work/disk.raw" "$work/vmlinuz" "$work/initrd.img" "$work/syslinux.cfg" ::
    syslinux --install "$work/disk.raw"
    mv "$work/disk.raw" "$outdir/disk.raw"
fi
mv "$work/vmlinuz" "$outdir/vmlinuz"
mv "$work/initrd.img" "$outdir/initrd.img"
printf 'kernel %s\nbusybox %s\n' "$kpkg" "$("$busybox" 2>&1 | head -1)" >"$outdir/guest.txt"
echo "$outdir/vmlinuz"
echo "$outdir/initrd.img"
[ -f "$outdir/disk.raw" ] && echo "$outdir/disk.raw"
exit 0
