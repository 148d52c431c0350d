#!/usr/bin/env bash
# Benchmark of WireGuard implementations side by side (not a test: it never fails on a figure).
# Two network namespaces joined by veth, one implementation in each, the harness of
# tests/integration/lib.sh. Columns (A = client namespace, B = relay namespace):
#   wireguard-go   <-> wireguard-go      the reference: ratios are against it
#   wirehop-tunnel <-> wireguard-go
#   wirehop-tunnel <-> wirehop-tunnel
#   bare veth, no tunnel                  the ceiling
# For each: TCP 1 and 4 streams both ways, UDP packets per second (64 and 1392 B payload), ping
# latency idle and under TCP load, the tunnel processes' CPU seconds per GB and peak RSS. Prints
# a table and writes docs/benchmarks.md (the machine, the method, how to reproduce). Root only.
#   sudo tools/dev bench                     (builds build/release first)
#   sudo WIREHOP_TUNNEL=path/to/wirehop-tunnel tests/bench/bench.sh
# Options (environment; docs/benchmarks.md has the table):
#   WIREHOP_BENCH_SECONDS=10   each iperf3 run (WH_BENCH_SECONDS is read too)
#   WIREHOP_BENCH_QUICK=1      2 s runs, no doc written: checks the script in about a minute
#   WIREHOP_BENCH_PAIRS="wireguard-go:wireguard-go wirehop-tunnel:wireguard-go ... veth"
#   WIREHOP_BENCH_UDP_SIZES="64 1392"  WIREHOP_BENCH_PING_INTERVAL=0.02
#   WIREHOP_BENCH_DOC=docs/benchmarks.md ("-": none)  WIREHOP_BENCH_NOTE="conditions of the run"
#   WIREHOP_BENCH_KEEP=1       keep logs, iperf3 JSON and daemon logs (WH_LOG_LEVEL=verbose for more)
#
# Each column runs in a child process of this script (`bench.sh --column A B RESULTS`) with its
# own namespaces, which lib.sh's trap removes when the child ends, however it ends. A child that
# fails leaves its measurements "n/a"; the next column starts afresh.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
. "$BENCH_DIR/../integration/lib.sh"

QUICK=${WIREHOP_BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then default_seconds=2; else default_seconds=10; fi
SECS=${WIREHOP_BENCH_SECONDS:-${WH_BENCH_SECONDS:-$default_seconds}}
PAIRS=${WIREHOP_BENCH_PAIRS:-wireguard-go:wireguard-go wirehop-tunnel:wireguard-go wirehop-tunnel:wirehop-tunnel veth}
UDP_SIZES=${WIREHOP_BENCH_UDP_SIZES:-64 1392}
PING_INTERVAL=${WIREHOP_BENCH_PING_INTERVAL:-0.02}
if [ "$QUICK" = 1 ]; then default_doc=-; else default_doc=$ROOT/docs/benchmarks.md; fi
DOC=${WIREHOP_BENCH_DOC:-$default_doc}
# Samples per ping run: as many as fit in the TCP run after its first 1.5 s, at least 50.
PING_COUNT=$(awk -v s="$SECS" -v i="$PING_INTERVAL" 'BEGIN { n = int((s - 2) / i); print (n < 50 ? 50 : n) }')
export WH_LOG_LEVEL=${WH_LOG_LEVEL:-error}
[ "${WIREHOP_BENCH_KEEP:-0}" != 1 ] || export WH_KEEP=1   # lib.sh keeps each column's scratch dir
TOOL=("$WH_PY" -I "$BENCH_DIR/benchtool.py")

# =============================================================================================
# One column, in a child process: set up, measure, write key=value lines to RESULTS.

RESULTS=""
put() { echo "$1=$2" >>"$RESULTS"; }
say() { echo "BENCH: $*"; }          # progress lines the parent shows

# na NAME WHY: the measurement NAME failed; the report shows n/a and the reason
na() { put "${1}_error" "$2"; say "$1: n/a ($2)"; }

# put_all PREFIX < key=value lines
put_all() { local k v; while IFS== read -r k v; do put "${1}_$k" "$v"; done; }

iperf_listening() { wh_in B ss -Hltn "sport = :5201" | grep -q .; }

# iperf_run NAME DEST [client options]: one iperf3 run from A to DEST (an address of B), with a
# fresh one-shot server; the client's JSON goes to $WH_TMP/NAME.json
iperf_run() {
  local name=$1 dst=$2 srv rc=0; shift 2
  wh_in B iperf3 -s -1 -B "$dst" >"$WH_TMP/$name.server.log" 2>&1 &
  srv=$!
  WH_BG_PIDS+=("$srv")
  wh_wait_for 10 "iperf3 server in B" iperf_listening >/dev/null || { kill "$srv" 2>/dev/null; return 1; }
  # In the background and waited for, so that a TERM reaches lib.sh's trap at once.
  wh_in A timeout $((SECS + 30)) iperf3 -c "$dst" -t "$SECS" -J --connect-timeout 5000 "$@" \
    >"$WH_TMP/$name.json" 2>"$WH_TMP/$name.err" &
  wait $! || rc=$?
  kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
  return "$rc"
}

# iperf_why NAME STATUS: why iperf3 failed, one line (its JSON's "error", else what it printed)
iperf_why() {
  local why
  if [ "$2" = 124 ]; then
    echo "iperf3 gave no result within $((SECS + 30)) s"
    return
  fi
  why=$("${TOOL[@]}" iperf "$WH_TMP/$1.json" 2>&1 >/dev/null) \
    || why=$(grep -m 1 -h . "$WH_TMP/$1.err" 2>/dev/null || true)
  echo "${why:-iperf3 failed (exit $2)}" | head -c 200
}

# The tunnel processes' CPU time (clock ticks, all threads) and the bytes through A's interface.
cpu_ticks() { local pid=${WH_PID[$1]:-}; [ -n "$pid" ] && sed 's/^.*) //' "/proc/$pid/stat" | awk '{ printf "%.0f\n", $12 + $13 }'; }
if_bytes() { wh_in A cat "/sys/class/net/$IF_A/statistics/rx_bytes" "/sys/class/net/$IF_A/statistics/tx_bytes" | awk '{ s += $1 } END { printf "%.0f\n", s }'; }

# tcp NAME DEST [options]: TCP throughput, with the tunnels' CPU time and the bytes it moved
tcp() {
  local name=$1 dst=$2 ca0 cb0 by0 ca1 cb1 by1 parsed; shift 2
  ca0=$(cpu_ticks A || true) cb0=$(cpu_ticks B || true) by0=$(if_bytes)
  iperf_run "$name" "$dst" "$@" || { na "$name" "$(iperf_why "$name" $?)"; return 0; }
  ca1=$(cpu_ticks A || true) cb1=$(cpu_ticks B || true) by1=$(if_bytes)
  parsed=$("${TOOL[@]}" iperf "$WH_TMP/$name.json" 2>&1) || { na "$name" "$parsed"; return 0; }
  put_all "$name" <<<"$parsed"
  put "${name}_tunbytes" $((by1 - by0))
  [ -z "$ca0" ] || put "${name}_cpuA" $((ca1 - ca0))
  [ -z "$cb0" ] || put "${name}_cpuB" $((cb1 - cb0))
  say "$name: $(grep '^mbps=' <<<"$parsed" | cut -d= -f2) Mbit/s"
}

# udp SIZE DEST: packets per second received at B, sender flat out
udp() {
  local size=$1 dst=$2 parsed name=udp$1
  iperf_run "$name" "$dst" -u -b 0 -l "$size" || { na "$name" "$(iperf_why "$name" $?)"; return 0; }
  parsed=$("${TOOL[@]}" iperf "$WH_TMP/$name.json" 2>&1) || { na "$name" "$parsed"; return 0; }
  put_all "$name" <<<"$parsed"
  say "$name: $(grep '^pps=' <<<"$parsed" | cut -d= -f2) packets/s received, $(grep '^loss=' <<<"$parsed" | cut -d= -f2)% lost"
}

# ping_start NAME DEST DELAY: ping from A in the background after DELAY seconds; ping_end NAME
# waits for it and records median, p99, max and loss
ping_start() {
  local name=$1 dst=$2 delay=$3
  # -c without -w: COUNT requests sent, so the run lasts COUNT intervals (with -w, ping would go
  # on until COUNT replies came, past the end of the load).
  (sleep "$delay"; exec ip netns exec "${WH_NS[A]}" timeout $((SECS + 30)) \
    ping -n -i "$PING_INTERVAL" -c "$PING_COUNT" "$dst") >"$WH_TMP/$name.txt" 2>&1 &
  PING_PID=$!
  WH_BG_PIDS+=("$PING_PID")
}
ping_end() {
  local name=$1 parsed
  wait "$PING_PID" 2>/dev/null || true
  parsed=$("${TOOL[@]}" ping "$WH_TMP/$name.txt" 2>&1) || { na "$name" "$parsed"; return 0; }
  put_all "$name" <<<"$parsed"
  say "$name: median $(grep '^median=' <<<"$parsed" | cut -d= -f2) ms, p99 $(grep '^p99=' <<<"$parsed" | cut -d= -f2) ms"
}

column() {
  local a=$1 b=$2 dst side
  RESULTS=$3
  WH_TEST_NAME="bench ($a <-> $b)"
  wh_init iperf3 ss timeout
  wh_setup_netns
  if [ "$a" = veth ]; then
    put pair veth
    dst=${WH_OUT4[B]} IF_A=${WH_VETH[A]}
  else
    put pair "$a $b"
    wh_up "$a" "$b"
    wh_wait_tunnel A 20
    dst=${WH_TUN4[B]} IF_A=${WH_IF[A]}
  fi
  put clk_tck "$(getconf CLK_TCK)"

  ping_start ping_idle "$dst" 0
  ping_end ping_idle
  ping_start ping_load "$dst" 1.5     # under the single-stream TCP transfer A->B
  tcp tcp1_ab "$dst"
  ping_end ping_load
  tcp tcp1_ba "$dst" -R
  tcp tcp4_ab "$dst" -P 4
  tcp tcp4_ba "$dst" -P 4 -R
  for size in $UDP_SIZES; do udp "$size" "$dst"; done

  for side in A B; do
    [ -n "${WH_PID[$side]:-}" ] || continue
    if wh_alive "$side"; then
      put "hwm_$side" "$(awk '/^VmHWM:/ { print $2 }' "/proc/${WH_PID[$side]}/status")"
    else
      put status "$side (${WH_IMPL[$side]}) died during the run"
    fi
  done
  grep -q '^status=' "$RESULTS" || put status ok
  WH_DONE=1
}

# =============================================================================================
# The run: machine description, one child per column, the report.

OUT=""
CHILD=""
finish() {
  local rc=$?
  trap - EXIT INT TERM
  # The child's own trap removes its namespaces; wait until it has.
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null
    wait "$CHILD" 2>/dev/null || true
  fi
  if [ "${WIREHOP_BENCH_KEEP:-0}" = 1 ]; then
    echo "# kept $OUT: the columns' logs, each naming its kept scratch directory (JSON, daemon logs)"
  elif [ -n "$OUT" ]; then
    rm -rf "$OUT"
  fi
  exit "$rc"
}

describe_machine() {
  local bin src=$ROOT dirty=""
  bin=$(wh_impl_bin wirehop-tunnel 2>/dev/null || true)
  # The commit is that of the checkout the binary was built in (a build dir inside it).
  [ -z "$bin" ] || src=$(git -C "$(dirname "$bin")" rev-parse --show-toplevel 2>/dev/null || echo "$ROOT")
  if [ -n "$(git -C "$src" status --porcelain -- tunnel meson.build 2>/dev/null)" ]; then
    dirty=" (plus uncommitted changes in tunnel/)"
  fi
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "dirty=$dirty"
  echo "seconds=$SECS"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "cores=$(nproc)"
  echo "memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "wggo=$(wireguard-go --version 2>/dev/null | head -n 1) (Debian package $(dpkg-query -W -f '${Version}' wireguard-go 2>/dev/null || echo '?'))"
  if [ -n "$bin" ]; then
    echo "wirehop=${bin#"$ROOT"/}, built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')"
  else
    echo "wirehop=not found"
  fi
  echo "iperf3=$(iperf3 --version | head -n 1)"
  echo "load_before=$(cut -d' ' -f1 /proc/loadavg)"
  echo "mtu=$WH_MTU"
  echo "udp_sizes=$UDP_SIZES"
  echo "ping_interval=$PING_INTERVAL"
  echo "ping_count=$PING_COUNT"
  echo "note=${WIREHOP_BENCH_NOTE:-}"
}

# run_column N A B: column N in a child process; its results in $OUT/columnN
run_column() {
  local n=$1 a=$2 b=$3 res=$OUT/column$1 log=$OUT/column$1.log why rc=0
  echo "# ---- $a <-> $b"
  if [ "$a" != veth ] && { ! why=$(wh_impl_bin "$a" 2>&1 >/dev/null) || ! why=$(wh_impl_bin "$b" 2>&1 >/dev/null); }; then
    printf 'pair=%s %s\nstatus=skipped\n' "$a" "$b" >"$res"
    echo "#   skipped: $why"
    return 0
  fi
  : >"$res"
  bash "$BENCH_DIR/bench.sh" --column "$a" "$b" "$res" >"$log" 2>&1 &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  sed -n 's/^BENCH: /#   /p' "$log"
  if [ "$rc" -ne 0 ] || ! grep -q '^status=' "$res"; then
    echo "#   failed (exit $rc); its log:"
    tail -n 30 "$log" | sed 's/^/#     /'
    grep -q '^pair=' "$res" || echo "pair=$a $b" >>"$res"
    why=$(sed -n 's/^not ok [0-9]* - //p' "$log" | tail -n 1)
    echo "status=failed: ${why:-exit $rc}" >>"$res"
  fi
}

main() {
  local pair n=0 results=()
  wh_require_root
  wh_require_tools iperf3 ss timeout
  OUT=$(mktemp -d "${TMPDIR:-/tmp}/wirehop-bench.$$.XXXXXX")
  trap finish EXIT
  trap 'echo "# interrupted"; exit 130' INT
  trap 'echo "# terminated"; exit 143' TERM

  describe_machine >"$OUT/machine"
  echo "# $SECS s per measurement, MTU $WH_MTU, $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
  for pair in $PAIRS; do
    n=$((n + 1))
    results+=("$OUT/column$n")
    if [ "$pair" = veth ]; then
      run_column "$n" veth veth
    else
      run_column "$n" "${pair%%:*}" "${pair#*:}"
    fi
  done
  echo "load_after=$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/machine"

  echo
  "${TOOL[@]}" report "$OUT/machine" "$DOC" "${results[@]}"
  echo "(A = client namespace, B = relay; ratios against wg-go <-> wg-go from this run)"
  [ "$DOC" = - ] || echo "# wrote ${DOC#"$ROOT"/}"
}

# Bash abandons a whole top-level command on an expansion error: keep this the script's last line.
if [ "${1:-}" = --column ]; then column "$2" "$3" "$4"; else main; fi
