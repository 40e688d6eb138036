# Shared packaging for the image build scripts: reproducible rootfs tarball plus IMGAPI v2 manifest.
# Sourced, not run. Needs GNU tar, gzip and coreutils only.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# pack_rootfs <rootdir> <tarball> <epoch> [--owner=0 --group=0 ...extra tar options]
# Numeric root:root ownership unless the tree says otherwise (debootstrap trees keep their owners),
# sorted names and a fixed mtime so the same inputs give the same bytes, and so the same uuid.
# /dev is packed empty: image extraction refuses device nodes, the runtime provides /dev.
pack_rootfs() {
    local root=$1 tarball=$2 epoch=$3
    shift 3
    tar -C "$root" --numeric-owner --sort=name --format=gnu --mtime="@$epoch" --clamp-mtime "$@" \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
        -cf - . | gzip -n -9 >"$tarball.tmp"
    mv "$tarball.tmp" "$tarball"
}

# image_uuid <name> <type> <sha1>
# A name-based uuid: the first 128 bits of sha1("solstice-image:<name>:<type>:<sha1>") with the
# RFC 4122 version (5) and variant bits set. Same tarball and type give the same uuid; the lx and
# zone manifests of one tarball differ, so both can be installed side by side.
image_uuid() {
    local h
    h=$(printf 'solstice-image:%s:%s:%s' "$1" "$2" "$3" | sha1sum | cut -c1-32)
    local variant
    variant=$(printf '%x' $(( (0x${h:16:1} & 0x3) | 0x8 )))
    printf '%s-%s-5%s-%s%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" "$variant" "${h:17:3}" "${h:20:12}"
}

# write_manifest <path> <uuid> <name> <version> <type> <brand|""> <published_at> <sha1> <size> <description>
write_manifest() {
    local path=$1 uuid=$2 name=$3 version=$4 type=$5 brand=$6 published=$7 sha1=$8 size=$9 description=${10}
    local requirements=""
    if [ -n "$brand" ]; then
        requirements=$(printf ',\n  "requirements": {\n    "brand": "%s"\n  }' "$brand")
    fi
    cat >"$path.tmp" <<JSON
{
  "v": 2,
  "uuid": "$uuid",
  "owner": "00000000-0000-0000-0000-000000000000",
  "name": "$name",
  "version": "$version",
  "description": "$description",
  "state": "active",
  "disabled": false,
  "public": true,
  "published_at": "$published",
  "type": "$type",
  "os": "linux"$requirements,
  "files": [
    {
      "sha1": "$sha1",
      "size": $size,
      "compression": "gzip"
    }
  ]
}
JSON
    mv "$path.tmp" "$path"
}

iso_date() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
