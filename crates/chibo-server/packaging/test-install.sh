#!/usr/bin/env bash
# Installs the package, checks what it installed, starts the installed
# binary as the `chibo` user with the installed configuration (no systemd
# runs as PID 1 here, so the unit is checked with systemd-analyze instead of
# started), checks health, readiness, metrics, the first scheduled backup
# and the READY=1 it tells systemd, drains it with SIGTERM (STOPPING=1),
# and purges the package. Run as root: packaging/test-install.sh chibo.deb
set -euo pipefail
deb=$1
fail() { echo "package test: $*" >&2; exit 1; }
dpkg --purge chibo >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >/dev/null
trap 'dpkg --purge chibo >/dev/null 2>&1 || true; rm -rf /var/lib/chibo' EXIT
getent passwd chibo >/dev/null || fail "no chibo user"
[ -x /usr/bin/chibo ] || fail "no /usr/bin/chibo"
/usr/bin/chibo --version | grep -q "^chibo " || fail "chibo --version"
[ "$(stat -c %U:%G:%a /var/lib/chibo)" = chibo:chibo:750 ] || fail "/var/lib/chibo: $(stat -c %U:%G:%a /var/lib/chibo)"
[ "$(stat -c %U:%G:%a /etc/chibo/chibo.toml)" = root:chibo:640 ] || fail "/etc/chibo/chibo.toml: $(stat -c %U:%G:%a /etc/chibo/chibo.toml)"
grep -qx /etc/chibo/chibo.toml /var/lib/dpkg/info/chibo.conffiles || fail "chibo.toml is not a conffile"
if command -v systemd-analyze >/dev/null; then
  # Unknown-user and no-systemd warnings aside, the unit must parse cleanly.
  out=$(systemd-analyze verify /lib/systemd/system/chibo.service 2>&1 || true)
  if echo "$out" | grep -Ei "unknown (key|section)|invalid|failed to parse" ; then fail "unit: $out"; fi
fi
runuser -u chibo -- /usr/bin/chibo config check --config /etc/chibo/chibo.toml >/dev/null || fail "config check"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
# systemd's notification socket, as a Type=notify unit gets it.
ndir=$(mktemp -d); chmod 0755 "$ndir"; nsock=$ndir/notify
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.settimeout(60)
for _ in range(2): print(s.recv(256).decode(), flush=True)
' "$nsock" >"$ndir/said" &
notified=$!
for _ in $(seq 1 50); do [ -S "$nsock" ] && break; sleep 0.1; done
cd /var/lib/chibo
# setpriv execs chibo itself (runuser would stay as its parent and answer
# SIGTERM with its own exit code): $! is chibo, as MainPID is under systemd.
CHIBO_LISTEN=127.0.0.1:$port CHIBO_METRICS_LISTEN=127.0.0.1:$mport CHIBO_DRAIN_DELAY_SECS=0 NOTIFY_SOCKET=$nsock \
  setpriv --reuid=chibo --regid=chibo --init-groups -- /usr/bin/chibo serve --config /etc/chibo/chibo.toml >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" | grep -qx ready || { cat "$log"; fail "not ready"; }
/usr/bin/chibo healthcheck --address "127.0.0.1:$port" >/dev/null || fail "healthcheck"
curl -fsS "http://127.0.0.1:$mport/metrics" | grep -q '^chibo_build_info' || fail "metrics"
[ -f /var/lib/chibo/chibo.sqlite ] || fail "no database in /var/lib/chibo"
[ "$(stat -c %U /var/lib/chibo/chibo.sqlite)" = chibo ] || fail "database not owned by chibo"
ls /var/lib/chibo/backups/chibo-*.sqlite >/dev/null 2>&1 || sleep 2
ls /var/lib/chibo/backups/chibo-*.sqlite >/dev/null || fail "no scheduled backup"
kill -TERM "$pid"
wait "$pid" || fail "exit code $? after SIGTERM"
grep -q '"message":"stopped"' "$log" || { cat "$log"; fail "no drain"; }
wait "$notified" || fail "systemd was not notified"
[ "$(cat "$ndir/said")" = "$(printf 'READY=1\nSTOPPING=1')" ] || fail "notified: $(cat "$ndir/said")"
rm -rf "$ndir" "$log"
echo "package test: installed, served as chibo (READY=1), drained (STOPPING=1, exit 0), purged"
