#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine with the .NET SDK, as root: the same
# set-up as run.sh, plus the real clients and peers the interop tests drive, then `dotnet test`.
# Each test run creates its own databases and drops them afterwards. Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

require_root
# Postfix is a peer the tests start from a private configuration (Tests/Groupware.Testing/PostfixPeer.cs): the
# system's own instance is left unconfigured, and install_packages keeps it from starting.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
install_packages postfix
install_packages openssl curl ca-certificates python3 python3-prometheus-client whois swaks libnet-ssleay-perl fetchmail isync \
  debootstrap iproute2 \
  monitoring-plugins-basic dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd icinga2-bin python3-caldav vdirsyncer radicale cadaver \
  python3-grpcio python3-grpc-tools
start_postgres
build
cd "$GW_ROOT"
dotnet test Groupware.sln -c Release --no-build "$@"
