#!/usr/bin/env bash
# Builds chibo's Debian package from an already-built binary, with the same
# files as `cargo deb` (chibo-server's [package.metadata.deb]):
#   packaging/build-deb.sh target/debug/chibo chibo.deb
# CI packages its debug build this way (a release build would take ~15 min
# on 2 cores); operators build releases with `cargo deb -p chibo-server`.
set -euo pipefail
bin=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# The package's root is /: never let mktemp's 0700 reach it.
chmod 0755 "$stage"

install -D -m 0755 "$bin" "$stage/usr/bin/chibo"
# Debug sections are most of a debug build's size.
strip --strip-debug "$stage/usr/bin/chibo"
install -D -m 0640 "$here/chibo.toml" "$stage/etc/chibo/chibo.toml"
install -D -m 0644 "$here/chibo.service" "$stage/lib/systemd/system/chibo.service"
install -D -m 0644 "$root/docs/OPERATIONS.md" "$stage/usr/share/doc/chibo/OPERATIONS.md"
install -d "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: chibo
Version: $version
Architecture: $(dpkg --print-architecture)
Maintainer: chibo developers <chibo@localhost>
Section: web
Priority: optional
Depends: libc6 (>= 2.36), adduser
Recommends: postgresql-client
Installed-Size: $(du -sk "$stage" | cut -f1)
Description: the workbench of a Vietnamese Party cell (chi bộ)
 chibo serves a Party cell's secretary, committee and members: member
 registry, meetings, votes, minutes and resolutions, tasks and reminders,
 on the embedded SQLite file or on PostgreSQL.
CONTROL
echo /etc/chibo/chibo.toml > "$stage/DEBIAN/conffiles"
# What debhelper's systemd snippets do, where systemd runs.
systemd_enable='if [ -d /run/systemd/system ]; then systemctl daemon-reload; systemctl enable chibo.service >/dev/null; systemctl restart chibo.service; fi'
systemd_stop='if [ -d /run/systemd/system ] && [ "$1" = remove ]; then systemctl stop chibo.service || true; systemctl disable chibo.service >/dev/null || true; fi'
sed "s|#DEBHELPER#|$systemd_enable|" "$here/postinst" > "$stage/DEBIAN/postinst"
sed "s|#DEBHELPER#|if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi|" "$here/postrm" > "$stage/DEBIAN/postrm"
printf '#!/bin/sh\nset -e\n%s\n' "$systemd_stop" > "$stage/DEBIAN/prerm"
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm" "$stage/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage" "$out" >/dev/null
echo "$out"
