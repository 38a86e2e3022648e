#!/usr/bin/env bash
# Starts a development node on a fresh Debian 12 machine with the .NET SDK, as root:
# PostgreSQL installed and started, role and database created, a dev certificate, the
# schema migrated, a demo account, and every implemented listener on loopback at the
# standard port + 10000 (IMAP 10143/10993, POP3 10110/10995, LMTP 10024, CalDAV 18443,
# RPC 10237, SASL for a local Postfix 10012, autoconfig 10080; admin /metrics and /health on 19180). Ctrl+C stops it. Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

require_root
start_postgres
build
write_dev_config
groupware db migrate --config "$GW_DEV/groupware.json"
if declare -F create_demo_account >/dev/null; then create_demo_account; fi
log "config: $GW_DEV/groupware.json"
exec "$GW_ROOT/Server/Groupware.Server/bin/Release/net10.0/groupware" serve --config "$GW_DEV/groupware.json"
