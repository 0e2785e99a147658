#!/usr/bin/env bash
# A private Postfix instance on loopback for the interop tests (tests/interop_postfix.rs):
# two listeners, one an open relay and one closed with STARTTLS (self-signed), every
# transport set to discard, its own queue and a log file. Needs root.
#
#   .ci/postfix.sh install                        install Debian's postfix, keep the system one stopped
#   .ci/postfix.sh start DIR OPEN_PORT CLOSED_PORT  render the config into DIR/etc and start
#   .ci/postfix.sh stop DIR                       stop the instance of DIR
#
# The log is DIR/maillog; the listeners are 127.0.0.1:OPEN_PORT and 127.0.0.1:CLOSED_PORT;
# the server's name is mx.postfix.test.example (also the certificate's).
set -euo pipefail

HOST=mx.postfix.test.example
TEMPLATES="$(cd "$(dirname "$0")/.." && pwd)/tests/support/postfix"

usage() {
  sed -n '2,11p' "$0" >&2
  exit 2
}

install() {
  if ! command -v postfix >/dev/null; then
    echo "postfix.sh: installing postfix"
    export DEBIAN_FRONTEND=noninteractive
    # Answer the package's questions so it configures no system mail.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postfix openssl >/dev/null
  fi
  # The package may start a system instance on port 25; the tests need none.
  postfix -c /etc/postfix stop >/dev/null 2>&1 || true
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now postfix >/dev/null 2>&1 || true
  fi
}

start() {
  local dir=$1 open=$2 closed=$3
  command -v postfix >/dev/null || { echo "postfix.sh: postfix is not installed (run: $0 install)" >&2; exit 1; }
  # The configuration apart from the queue: Postfix wants everything under it owned by root.
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  for file in main.cf master.cf; do
    sed -e "s|@DIR@|$dir|g" -e "s|@HOST@|$HOST|g" \
        -e "s|@OPEN_PORT@|$open|g" -e "s|@CLOSED_PORT@|$closed|g" \
        "$TEMPLATES/$file.in" >"$dir/etc/$file"
  done
  if [ ! -s "$dir/etc/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$HOST" \
      -addext "subjectAltName=DNS:$HOST" \
      -keyout "$dir/etc/key.pem" -out "$dir/etc/cert.pem" >/dev/null 2>&1
    chmod 600 "$dir/etc/key.pem"
  fi
  : >"$dir/maillog"
  postfix -c "$dir/etc" start
}

stop() {
  local dir=$1
  [ -f "$dir/etc/main.cf" ] || return 0
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || postfix -c "$dir/etc" abort >/dev/null 2>&1 || true
}

case "${1:-}" in
  install) install ;;
  start) [ $# -eq 4 ] || usage; start "$2" "$3" "$4" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
