#!/usr/bin/env bash
# The quick start: installs packages, builds and installs Solstice, brings the zones pool
# online (a sparse loop file at /var/lib/solstice/zones.img mounted on /zones unless
# /etc/solstice/node.json says otherwise), starts solsticed, installs the busybox image and
# boots a first zone.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "quickstart: run as root" >&2; exit 2; }
scripts/deps.sh
scripts/build.sh
prefix=/usr/local/lib/solstice
install -d "$prefix" /usr/local/sbin
install -m 0755 artifacts/bin/solstice "$prefix/solstice"
install -m 0755 artifacts/bin/solsticed "$prefix/solsticed"
install -m 0755 artifacts/bin/solstice-vmtools "$prefix/solstice-vmtools"
install -m 0755 artifacts/bin/mdata "$prefix/mdata"
for tool in solstice imgadm; do
    ln -sf "$prefix/solstice" "/usr/local/sbin/$tool"
done
for tool in vmadm fwadm zlogin nictagadm; do
    ln -sf "$prefix/solstice-vmtools" "/usr/local/sbin/$tool"
done
ln -sf "$prefix/solsticed" /usr/local/sbin/solsticed
solstice setup

# The daemon: a systemd unit where systemd runs the machine, else in the background.
if [ -d /run/systemd/system ]; then
    install -m 0644 contrib/systemd/solsticed.service /etc/systemd/system/solsticed.service
    systemctl daemon-reload
    systemctl enable --now solsticed
elif ! solstice vmadm list >/dev/null 2>&1; then
    setsid /usr/local/sbin/solsticed >>/var/log/solsticed.log 2>&1 < /dev/null &
fi
for _ in $(seq 100); do vmadm list >/dev/null 2>&1 && break; sleep 0.1; done

# The busybox image, built offline from Debian's busybox-static.
images=/var/lib/solstice/images
scripts/images/build-busybox.sh "$images" >/dev/null
manifest=$(ls "$images"/busybox-[0-9]*.json | head -n 1)
uuid=$(sed -n 's/.*"uuid": *"\([^"]*\)".*/\1/p' "$manifest" | head -n 1)
imgadm get "$uuid" >/dev/null 2>&1 || imgadm install -m "$manifest" -f "${manifest%.json}.tar.gz"

# The first zone.
zone=$(vmadm lookup alias=first-zone)
if [ -z "$zone" ]; then
    echo "{\"brand\": \"joyent\", \"alias\": \"first-zone\", \"image_uuid\": \"$uuid\", \"max_physical_memory\": 256}" | vmadm create
    zone=$(vmadm lookup alias=first-zone)
fi
vmadm list
zlogin "$zone" uname -a
echo
echo "Your first zone is running. Log in with:  zlogin $zone   (or: zlogin first-zone)"
