#!/usr/bin/env bash
# Throughput of WireGuard implementations side by side: two network namespaces joined by veth, one
# implementation in each, iperf3 single TCP stream through the tunnel for WH_BENCH_SECONDS
# (default 10) each way. Pairs (A = iperf3 client, B = server):
#   wireguard-go   <-> wireguard-go      the reference
#   wirehop-tunnel <-> wireguard-go
#   wirehop-tunnel <-> wirehop-tunnel
# A pair whose binary is missing is skipped with a note. Prints a table of Mbit/s and the ratio to
# wireguard-go <-> wireguard-go, plus the bare veth as the ceiling. Not a test: it never fails on
# a figure. Root only. Also: `sudo tools/dev bench` (builds an optimised wirehop-tunnel first).
#   WIREHOP_TUNNEL=path/to/wirehop-tunnel tests/bench/bench.sh
set -euo pipefail
. "$(dirname "$0")/../integration/lib.sh"
WH_TEST_NAME=bench
SECONDS_PER_RUN=${WH_BENCH_SECONDS:-10}
export WH_LOG_LEVEL=${WH_LOG_LEVEL:-error}
wh_init iperf3 ss
wh_setup_netns >/dev/null

iperf_listening() { wh_in B ss -Hltn "sport = :5201" | grep -q .; }

# iperf DEST [-R]: Mbit/s received, single stream, SECONDS_PER_RUN seconds
iperf() {
  local dst=$1; shift
  wh_in B iperf3 -s -1 -B "$dst" >/dev/null 2>&1 &
  local srv=$!
  WH_BG_PIDS+=("$srv")
  wh_must_wait_for 10 "iperf3 server in B" iperf_listening
  wh_in A iperf3 -c "$dst" -t "$SECONDS_PER_RUN" -O 1 -J "$@" >"$WH_TMP/iperf.json" 2>&1 \
    || { cat "$WH_TMP/iperf.json" >&2; wh_die "iperf3 to $dst failed"; }
  wait "$srv" 2>/dev/null || true
  "$WH_PY" -I -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("%.0f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6))' "$WH_TMP/iperf.json"
}

have() { wh_impl_bin "$1" >/dev/null 2>&1; }

declare -a rows
ref_ab="" ref_ba=""
echo "# $SECONDS_PER_RUN s per direction, single TCP stream, MTU $WH_MTU, $(nproc) CPUs"
veth_ab=$(iperf "${WH_OUT4[B]}")
echo "# bare veth (no tunnel): $veth_ab Mbit/s"

for pair in "wireguard-go wireguard-go" "wirehop-tunnel wireguard-go" "wirehop-tunnel wirehop-tunnel"; do
  read -r a b <<<"$pair"
  if ! have "$a" || ! have "$b"; then
    note=$( { wh_impl_bin wirehop-tunnel >/dev/null; } 2>&1 || true)
    rows+=("$(printf '%-32s %12s %12s %10s %10s' "$a <-> $b" "skipped" "" "" "")")
    echo "# skipping $a <-> $b: ${note:-binary missing}"
    continue
  fi
  [ -z "${WH_PID[A]:-}" ] || wh_stop A
  [ -z "${WH_PID[B]:-}" ] || wh_stop B
  wh_up "$a" "$b" >/dev/null
  wh_wait_tunnel A
  ab=$(iperf "${WH_TUN4[B]}")
  ba=$(iperf "${WH_TUN4[B]}" -R)
  wh_check_alive A B
  if [ -z "$ref_ab" ]; then ref_ab=$ab ref_ba=$ba; fi
  ratio() { awk -v x="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.2f", x / r; else print "-" }'; }
  rows+=("$(printf '%-32s %12s %12s %10s %10s' "$a <-> $b" "$ab" "$ba" "$(ratio "$ab" "$ref_ab")" "$(ratio "$ba" "$ref_ba")")")
  echo "# $a <-> $b: A->B $ab Mbit/s, B->A $ba Mbit/s"
done

echo
printf '%-32s %12s %12s %10s %10s\n' "pair (A <-> B)" "A->B Mbit/s" "B->A Mbit/s" "A->B ratio" "B->A ratio"
printf '%s\n' "${rows[@]}"
printf '%-32s %12s\n' "bare veth (ceiling)" "$veth_ab"
echo "(ratios against wireguard-go <-> wireguard-go; A runs the iperf3 client)"
WH_DONE=1
