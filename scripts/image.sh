#!/usr/bin/env bash
# zonekeeper's two container images, as OCI archives, with no daemon and no registry.
#
#   scripts/image.sh [BUILD_DIR]      # default build/; writes BUILD_DIR/images/*.tar
#
#   BUILD_DIR/images/zonekeeper.tar        the controller (BUILD_DIR/zonekeeper, stripped), the
#                                          shared libraries it links (from Debian), CA
#                                          certificates; uid/gid 65532, no shell
#   BUILD_DIR/images/zonekeeper-bind9.tar  Debian's BIND 9 named (+ named-checkconf,
#                                          named-checkzone, rndc) and their libraries; runs as
#                                          uid 65532 with writable /var/cache/bind and /run/named
#
# Load them into a node with `ctr -n k8s.io images import FILE` (tools/testbed/node.sh import).
# Prints one line per image: "REFERENCE sha256:DIGEST" (the manifest digest).
#
# Reproducible: the same binary and the same Debian packages give the same digests — entries
# sorted, owners fixed, every time stamp the commit's time (tools/oci/oci_archive.py).
#
# Knobs: ZK_IMAGE (default zonekeeper:dev), ZK_BIND9_IMAGE (default zonekeeper-bind9:dev),
#        ZK_IMAGE_OUT (default BUILD_DIR/images), SOURCE_DATE_EPOCH (default: HEAD's commit
#        time, 0 outside git).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
out="${ZK_IMAGE_OUT:-$build/images}"
controller_ref="${ZK_IMAGE:-zonekeeper:dev}"
bind9_ref="${ZK_BIND9_IMAGE:-zonekeeper-bind9:dev}"
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
  SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH

die() { echo "image.sh: $*" >&2; exit 1; }
[[ -x $build/zonekeeper ]] || die "$build/zonekeeper is missing: build first (ninja -C $build)"
[[ -x /usr/sbin/named ]] || die "/usr/sbin/named is missing: bash scripts/install-deps.sh"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"

# copy_libs ROOT BINARY...: every shared library the binaries load (ldd), at the same path, and
# the dynamic loader. Debian's files only: nothing is downloaded.
copy_libs() {
  local root=$1; shift
  local lib
  for lib in $(ldd "$@" | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# base ROOT: the files every image has — passwd/group with the nonroot user, an empty /tmp.
base() {
  local root=$1
  mkdir -p "$root"/{etc,tmp,proc,sys,dev}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
    >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# --- the controller ---------------------------------------------------------------------------
c="$stage/zonekeeper"
base "$c"
mkdir -p "$c/usr/bin" "$c/etc/ssl/certs" "$c/home/nonroot"
strip --strip-all -o "$c/usr/bin/zonekeeper" "$build/zonekeeper"
copy_libs "$c" "$build/zonekeeper"
cp -L /etc/ssl/certs/ca-certificates.crt "$c/etc/ssl/certs/ca-certificates.crt"
version=$("$build/zonekeeper" --version 2>/dev/null | awk '{print $NF}' || true)
python3 "$repo/tools/oci/oci_archive.py" --name "$controller_ref" --rootfs "$c" \
  --out "$out/zonekeeper.tar" --owner 65532:65532=home/nonroot --user 65532:65532 \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt --workdir /home/nonroot \
  --label org.opencontainers.image.title=zonekeeper \
  --label "org.opencontainers.image.version=${version:-dev}" \
  --label org.opencontainers.image.source=https://github.com/zonekeeper/zonekeeper \
  --expose 8080/tcp --entrypoint /usr/bin/zonekeeper --cmd controller

# --- BIND 9 -----------------------------------------------------------------------------------
b="$stage/bind9"
base "$b"
mkdir -p "$b/usr/sbin" "$b/usr/bin" "$b/etc/bind" "$b/var/cache/bind" "$b/run/named" \
  "$b/var/lib/bind" "$b/usr/share/dns"
bins=(/usr/sbin/named /usr/bin/named-checkconf /usr/bin/named-checkzone /usr/sbin/rndc)
for f in "${bins[@]}"; do cp -L "$f" "$b$f"; done
copy_libs "$b" "${bins[@]}"
# named loads its plugins (filter-aaaa, …) by path from here; copy them so `plugin` statements work.
if [[ -d /usr/lib/x86_64-linux-gnu/bind ]]; then
  mkdir -p "$b/usr/lib/x86_64-linux-gnu/bind"
  cp -L /usr/lib/x86_64-linux-gnu/bind/*.so "$b/usr/lib/x86_64-linux-gnu/bind/" 2>/dev/null || true
fi
cp -L /usr/share/dns/root.hints "$b/usr/share/dns/" 2>/dev/null || true
# A default configuration that serves nothing but answers: the managed servers (and the tests)
# mount their own /etc/bind.
cat >"$b/etc/bind/named.conf" <<'CONF'
options {
  directory "/var/cache/bind";
  pid-file none;
  listen-on port 5353 { any; };
  listen-on-v6 port 5353 { any; };
  recursion no;
  allow-transfer { none; };
  dnssec-validation no;
};
CONF
bind_version=$(/usr/sbin/named -v | awk '{print $2}')
python3 "$repo/tools/oci/oci_archive.py" --name "$bind9_ref" --rootfs "$b" \
  --out "$out/zonekeeper-bind9.tar" --owner 65532:65532=var/cache/bind \
  --owner 65532:65532=run/named --owner 65532:65532=var/lib/bind --user 65532:65532 \
  --workdir /var/cache/bind \
  --label org.opencontainers.image.title=zonekeeper-bind9 \
  --label "org.opencontainers.image.version=${bind_version}" \
  --expose 5353/udp --expose 5353/tcp \
  --entrypoint '["/usr/sbin/named", "-g", "-c", "/etc/bind/named.conf"]'
