#!/usr/bin/env bash
# Runs a command (default: the whole vitest suite) while one CPU burner per core keeps every
# core busy, to show the tests wait on readiness, never on an idle machine. Prints the
# 1-minute load average's range over the run and exits with the command's status.
#   scripts/busy-machine.sh [command ...]     e.g. scripts/busy-machine.sh pnpm test
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- pnpm exec vitest run

burners=()
samples=$(mktemp)
stop() {
  kill "${burners[@]}" 2>/dev/null
  wait "${burners[@]}" 2>/dev/null
  rm -f "$samples"
}
trap stop EXIT
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  burners+=($!)
done
(while :; do cut -d' ' -f1 /proc/loadavg >> "$samples"; sleep 30; done) &
burners+=($!)

started=$(date +%s)
"$@"
status=$?
range=$(sort -n "$samples" | sed -n '1p;$p' | paste -sd' ')
echo "busy-machine: $(nproc) CPU burners; 1-minute load ${range/ / to }; $(($(date +%s) - started)) s; exit ${status}" >&2
exit "$status"
