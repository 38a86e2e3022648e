#!/usr/bin/env bash
# Shared set-up for deploy/dev/run.sh and deploy/dev/test.sh on Debian 12, as root:
# installs what is missing from Debian's packages, starts a local PostgreSQL cluster,
# lets root (the developer) and the groupware user log in as the `groupware` role over
# the unix socket, creates that role and its database, builds the solution, and writes a
# development certificate and configuration under .dev/. Safe to run again.
set -euo pipefail

GW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GW_DEV="$GW_ROOT/.dev"
GW_ROLE=groupware
GW_DB=groupware

log() { printf '[setup] %s\n' "$*" >&2; }

require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "run this as root (it installs Debian packages and starts PostgreSQL)" >&2
    exit 1
  fi
}

# install_packages PKG... : apt-get install what dpkg does not have yet. Services that a
# package would start at install (dovecot) are held back by a temporary policy-rc.d, so
# nothing listens on the standard ports behind the tests' backs.
install_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  fi
  [ "$created_policy" -eq 1 ] && rm -f "$policy"
  return 0
}

start_postgres() {
  install_packages postgresql postgresql-contrib libicu72
  local version
  version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  if ! pg_lsclusters --no-header | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    log "creating PostgreSQL $version cluster main"
    pg_createcluster "$version" main >/dev/null
  fi
  local conf="/etc/postgresql/$version/main"
  # Peer authentication maps the OS users root and groupware to the groupware role (and
  # nobody else), so the default connection string needs no password.
  if ! grep -q '^groupware-map' "$conf/pg_ident.conf"; then
    printf 'groupware-map root %s\ngroupware-map %s %s\n' "$GW_ROLE" "$GW_ROLE" "$GW_ROLE" >> "$conf/pg_ident.conf"
  fi
  if ! grep -q 'map=groupware-map' "$conf/pg_hba.conf"; then
    sed -i "0,/^local/s//local   all             $GW_ROLE                               peer map=groupware-map\n&/" "$conf/pg_hba.conf"
  fi
  if ! pg_lsclusters --no-header | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    log "starting PostgreSQL $version"
    pg_ctlcluster "$version" main start
  else
    pg_ctlcluster "$version" main reload
  fi
  local i
  for i in $(seq 1 30); do
    runuser -u postgres -- psql -qAtc 'SELECT 1' >/dev/null 2>&1 && break
    sleep 1
  done
  runuser -u postgres -- psql -qAtc "SELECT 1 FROM pg_roles WHERE rolname = '$GW_ROLE'" | grep -q 1 \
    || runuser -u postgres -- psql -qc "CREATE ROLE $GW_ROLE LOGIN CREATEDB"
  runuser -u postgres -- psql -qAtc "SELECT 1 FROM pg_database WHERE datname = '$GW_DB'" | grep -q 1 \
    || runuser -u postgres -- psql -qc "CREATE DATABASE $GW_DB OWNER $GW_ROLE"
}

build() {
  log "building (Release)"
  dotnet build "$GW_ROOT/Groupware.sln" -c Release -nologo -v quiet -clp:ErrorsOnly
}

groupware() {
  "$GW_ROOT/Server/Groupware.Server/bin/Release/net10.0/groupware" "$@"
}

# A development node: every implemented listener on loopback at the standard port + 10000.
write_dev_config() {
  mkdir -p "$GW_DEV"
  if [ ! -s "$GW_DEV/tls/cert.pem" ] || ! openssl x509 -checkend 604800 -noout -in "$GW_DEV/tls/cert.pem" >/dev/null 2>&1; then
    groupware dev-cert --out "$GW_DEV/tls" >/dev/null
  fi
  cat > "$GW_DEV/groupware.json" <<JSON
{
  "Node": { "Name": "dev1", "AllowPlaintextAuth": false },
  "Database": { "ConnectionString": "Host=/var/run/postgresql;Database=$GW_DB;Username=$GW_ROLE" },
  "Tls": { "CertificateFile": "$GW_DEV/tls/cert.pem", "KeyFile": "$GW_DEV/tls/key.pem" },
  "Admin": { "Endpoint": "127.0.0.1:19180" },
  "Listeners": {
$(dev_listeners)
  }
}
JSON
}

# The listeners of the protocols this build implements (see Server/Groupware.Server/Hosting/ProtocolRegistration.cs).
dev_listeners() {
  local lines=()
  for protocol in $(groupware config protocols 2>/dev/null || true); do
    case "$protocol" in
      imap) lines+=('    "imap": { "Protocol": "imap", "Endpoint": "127.0.0.1:10143", "Tls": "starttls" }'
                    '    "imaps": { "Protocol": "imap", "Endpoint": "127.0.0.1:10993", "Tls": "implicit" }') ;;
      pop3) lines+=('    "pop3": { "Protocol": "pop3", "Endpoint": "127.0.0.1:10110", "Tls": "starttls" }'
                    '    "pop3s": { "Protocol": "pop3", "Endpoint": "127.0.0.1:10995", "Tls": "implicit" }') ;;
      lmtp) lines+=('    "lmtp": { "Protocol": "lmtp", "Endpoint": "127.0.0.1:10024", "Tls": "none" }') ;;
      caldav) lines+=('    "caldav": { "Protocol": "caldav", "Endpoint": "127.0.0.1:18443", "Tls": "implicit" }') ;;
      rpc) lines+=('    "rpc": { "Protocol": "rpc", "Endpoint": "127.0.0.1:10237", "Tls": "implicit" }') ;;
      sasl) lines+=('    "sasl": { "Protocol": "sasl", "Endpoint": "127.0.0.1:10012", "Tls": "none" }') ;;
      autoconfig) lines+=('    "autoconfig": { "Protocol": "autoconfig", "Endpoint": "127.0.0.1:10080", "Tls": "none" }') ;;
    esac
  done
  local IFS=$'\n'
  printf '%s\n' "${lines[*]}" | sed '$!s/$/,/'
}

# The development node's demo account: login demo, address demo@example.test, and a random
# password written to .dev/demo-password (mode 0600) when the account is created. An existing
# account is left alone (its password too). run.sh calls this after migrating.
create_demo_account() {
  local config="$GW_DEV/groupware.json" file="$GW_DEV/demo-password" status=0
  groupware user show demo --config "$config" >/dev/null 2>&1 || status=$?
  case "$status" in
    67)
      (umask 077 && openssl rand -base64 18 > "$file")
      chmod 600 "$file"
      groupware user add demo --email demo@example.test --password-file "$file" --config "$config" >/dev/null
      log "created account demo <demo@example.test>; login: demo, password: in $file" ;;
    0)
      if [ -s "$file" ]; then
        log "account demo exists; login: demo, password: in $file"
      else
        log "account demo exists but $file is gone; set a password with: groupware user passwd demo --password-stdin"
      fi ;;
    *)
      log "could not look up the demo account (groupware user show demo exited $status)"
      return 1 ;;
  esac
}
