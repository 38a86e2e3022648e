#!/usr/bin/env bash
# deploy/debian/test-install.sh [DEB]: installs the package into a fresh Debian 12 root made with
# debootstrap and follows deploy/README.md in it, as written, up to a node answering on its ports;
# then checks the installed files, the node's ports, the monitoring probe, a restore of the backup,
# and that `apt-get remove` leaves the data alone. Builds the package when none is given. As root.
#
# The guide runs in a network namespace of its own (only its loopback): its PostgreSQL and its node
# bind the standard ports without touching the host's. Packages are fetched before, on the host's
# network, so that the guide's apt-get commands find them in the root's cache. The root's base
# system is cached in /var/cache/groupware-test/ for a week (debootstrap takes under a minute).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[[ $(id -u) == 0 ]] || { echo "test-install: run as root" >&2; exit 1; }

work=$(mktemp -d /var/tmp/gw-install-XXXXXX)
target="$work/root"
mounted=()
cleanup() {
  local pid
  # Whatever still runs inside the root (a node or PostgreSQL left by a failed step) ends first.
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [[ $(readlink "/proc/$pid/root" 2>/dev/null) == "$target" ]] && kill -9 "$pid" 2>/dev/null || true
  done
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  [[ -n ${GW_TEST_KEEP:-} ]] && { echo "kept $work" >&2; return; }
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

log() { echo "[test-install] $*" >&2; }

deb=${1:-}
if [[ -z $deb ]]; then
  deb=$("$repo/deploy/debian/build.sh" "$work/dist" | tail -1)
fi
deb=$(readlink -f "$deb")

for tool in debootstrap unshare setpriv; do
  command -v "$tool" >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap util-linux >/dev/null; break; }
done

mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
cache=/var/cache/groupware-test/bookworm-minbase.tar
mkdir -p "$target" "$(dirname "$cache")"
if [[ -s $cache ]] && [[ -n $(find "$cache" -mtime -7) ]]; then
  log "base system from $cache"
  tar -C "$target" -xf "$cache"
else
  log "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$target" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$target" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
fi

mount -t proc proc "$target/proc"; mounted+=("$target/proc")
mount --bind /dev "$target/dev"; mounted+=("$target/dev")
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$target/dev/pts"; mounted+=("$target/dev/pts")
mount -t tmpfs -o mode=1777 tmpfs "$target/dev/shm"; mounted+=("$target/dev/shm")
cp /etc/resolv.conf "$target/etc/resolv.conf"
# No daemon starts from a package's maintainer script inside the root (Debian's policy-rc.d).
printf '#!/bin/sh\nexit 101\n' > "$target/usr/sbin/policy-rc.d"; chmod 0755 "$target/usr/sbin/policy-rc.d"

in_root() { chroot "$target" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

log "fetching what the guide installs"
cp "$deb" "$target/root/"
in_root apt-get update -q >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
in_root apt-get install -y -q --no-install-recommends postgresql openssl curl procps >>"$work/apt.log" 2>&1 \
  || { tail -20 "$work/apt.log" >&2; exit 1; }
in_root sh -c 'cd /root && apt-get install -y -q --download-only ./groupware_*.deb' >>"$work/apt.log" 2>&1 \
  || { tail -20 "$work/apt.log" >&2; exit 1; }
# Made on the host's network, where 5432 is taken, the cluster chose another port; in the guide's
# own namespace the standard one is free, as on a fresh host.
sed -i 's/^port = .*/port = 5432/' "$target/etc/postgresql/15/main/postgresql.conf"

# The guide's blocks in order: "run" ones as written, "instead" ones by the stand-ins below.
python3 - "$repo/deploy/README.md" >"$target/root/guide.sh" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
standins = {
    "certificates": """
# stand-in for certbot: a self-signed pair in the files the deploy hook writes
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=mail.example.org \\
  -addext subjectAltName=DNS:mail.example.org,IP:127.0.0.1 \\
  -keyout /etc/groupware/tls/privkey.pem -out /etc/groupware/tls/fullchain.pem 2>/dev/null
chown root:groupware /etc/groupware/tls/privkey.pem /etc/groupware/tls/fullchain.pem
chmod 0640 /etc/groupware/tls/privkey.pem
""",
    "start": """
# stand-in for systemctl: the unit's ExecStartPre and ExecStart as its User, with its one capability
unit=/lib/systemd/system/groupware.service
as_unit() { exec setpriv --reuid=groupware --regid=groupware --init-groups --inh-caps=+net_bind_service --ambient-caps=+net_bind_service "$@"; }
install -d -o groupware -g groupware /run/groupware
(as_unit $(sed -n 's/^ExecStartPre=//p' $unit))
(as_unit $(sed -n 's/^ExecStart=//p' $unit)) >/var/log/groupware/node.log 2>&1 &
echo $! >/run/groupware/test.pid
for i in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/993) 2>/dev/null && break; sleep 1; done
""",
}
out = ["set -euo pipefail", "cd /root"]
for marker, block in re.findall(r"<!-- guide-test: (run|instead[^>]*) -->\s*```sh\n(.*?)```", text, re.S):
    if marker == "run":
        out.append(block)
    else:
        key = "certificates" if "certbot" in block else "start" if "systemctl" in block else None
        if key is None:
            sys.exit("guide-test: no stand-in for the block: " + block)
        out.append(standins[key])
print("\n".join(out))
PY

cat >>"$target/root/guide.sh" <<'SH'

# --- what must hold once the guide is followed ---
checks=0; short=()
check() { checks=$((checks+1)); if eval "$2" >/dev/null 2>&1; then :; else short+=("$1"); fi; }
# The first line a TLS port answers, the session ended by the protocol's own goodbye (no pipe into
# head: under pipefail, s_client's SIGPIPE would fail a greeting that came).
greets() { local out; out=$(printf '%s\r\n' "$3" | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$1" 2>/dev/null || true); [[ $out == "$2"* ]]; }
check "/etc/groupware is root:groupware 750" '[ "$(stat -c %U:%G:%a /etc/groupware)" = root:groupware:750 ]'
check "groupware.json is root:groupware 640" '[ "$(stat -c %U:%G:%a /etc/groupware/groupware.json)" = root:groupware:640 ]'
check "the groupware user is a system user" '[ "$(id -u groupware)" -lt 1000 ]'
check "IMAPS 993 greets over TLS" 'greets 993 "* OK" "a LOGOUT"'
check "IMAP 143 greets with STARTTLS and LOGINDISABLED" 'exec 3<>/dev/tcp/127.0.0.1/143 && timeout 5 head -1 <&3 | grep -q "STARTTLS.*LOGINDISABLED"'
check "POP3S 995 greets over TLS" 'greets 995 "+OK" "QUIT"'
check "CalDAV 8443 answers over TLS" 'curl -sk -o /dev/null -w "%{http_code}" https://127.0.0.1:8443/ | grep -q "^[234]"'
check "LMTP 24 on loopback greets" 'exec 3<>/dev/tcp/127.0.0.1/24 && timeout 5 head -1 <&3 | grep -q "^220 "'
check "health/ready on the admin endpoint" 'curl -sf http://127.0.0.1:9180/health/ready'
check "the clear-text probe is OK on 110/143 of the secure node" \
  'groupware probe plaintext --host 127.0.0.1 --user canary --password-file /etc/groupware/canary.pw --expect refused'
check "the restored dump holds the accounts" \
  '[ "$(runuser -u postgres -- psql -d groupware_restored -qAtc "SELECT count(*) FROM accounts")" -ge 3 ]'
kill "$(cat /run/groupware/test.pid)" 2>/dev/null || true
for i in $(seq 1 30); do kill -0 "$(cat /run/groupware/test.pid)" 2>/dev/null || break; sleep 1; done
apt-get remove -y -q groupware >/dev/null 2>&1
check "apt-get remove leaves the accounts in the database" \
  '[ "$(runuser -u postgres -- psql -d groupware -qAtc "SELECT count(*) FROM accounts")" -ge 3 ]'
check "apt-get remove leaves the configuration" '[ -f /etc/groupware/groupware.json ]'
check "apt-get remove takes the binary" '! [ -e /usr/bin/groupware ]'
pg_ctlcluster 15 main stop -m fast >/dev/null 2>&1 || true
for s in "${short[@]}"; do echo "short: $s"; done
[ ${#short[@]} -gt 0 ] && tail -30 /var/log/groupware/node.log >&2
echo "test-install: $((checks-${#short[@]}))/$checks checks hold"
[ ${#short[@]} -eq 0 ]
SH

log "following deploy/README.md in the root, in a network namespace of its own"
unshare --net --fork bash -c "ip link set lo up 2>/dev/null || true; chroot '$target' /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive bash /root/guide.sh"
