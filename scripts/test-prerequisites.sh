#!/usr/bin/env bash
# The Debian programs the tests drive, found before the tests start: as root with apt the
# missing ones are installed, otherwise the run stops naming the command that installs them.
# `pnpm test` and .ci/run both start here.
#
# HASHWATT_PREREQUISITES_ROOT puts the folders the programs are looked for in under a folder
# of its own (unset: /). With it and a PATH of their own, this script's tests see programs
# present or missing, and apt-get and id as they make them, without touching the machine.
set -euo pipefail

root=${HASHWATT_PREREQUISITES_ROOT:-}

# An executable at one of the absolute paths given (under the root).
found_at() {
  local file
  for file in "$@"; do
    [ -x "$root$file" ] && return 0
  done
  return 1
}

# An executable on PATH, or where Debian puts it (a user's PATH may lack /usr/sbin).
found() {
  local program=$1
  shift
  command -v "$program" >/dev/null || found_at "$@"
}

missing=()
# The regulator-report tests read their PDFs back with pdftotext.
found pdftotext /usr/bin/pdftotext || missing+=(poppler-utils)
# The dashboard's end-to-end tests and its benchmark drive this very file: no browser download.
found_at /usr/bin/chromium || missing+=(chromium)
# The scale-out tests put HAProxy in front of two Stratum nodes and restart a NATS server
# of their own (the machine's NATS service keeps running for the other tests).
found haproxy /usr/sbin/haproxy /usr/bin/haproxy || missing+=(haproxy)
found nats-server /usr/sbin/nats-server /usr/bin/nats-server || missing+=(nats-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

uid=$(id -u)
if [ "$uid" = 0 ] && command -v apt-get >/dev/null; then
  echo "test prerequisites: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
  exit 0
fi

sudo=$([ "$uid" = 0 ] || echo 'sudo ')
echo "The tests need Debian packages that are missing: ${missing[*]}. Install them, then run again:" >&2
echo "  ${sudo}apt-get update && ${sudo}apt-get install -y ${missing[*]}" >&2
exit 1
