# shellcheck shell=bash
# Shared helpers for the integration tests, the benchmark and the demo (sourced, never run).
#
# Two network namespaces, A ("client") and B ("relay"), joined by one veth pair created directly
# inside them, with IPv4 and IPv6 on that outer link. Each side runs one WireGuard implementation
# (IMPL wireguard-go or wirehop-tunnel) on its own TUN interface, configured with `wg set` and `ip`.
# The root namespace's addresses, routes, rules, DNS and firewall are never touched: every `ip`,
# `nft`, `ping`, `iperf3` runs inside our namespaces, and the only things outside them are the UAPI
# sockets in /var/run/wireguard/ (a shared directory), whose names carry this run's id.
#
# Everything created is removed by wh_cleanup, which wh_init arms on EXIT, INT and TERM. A run that
# was killed outright (SIGKILL) leaves namespaces whose name carries a dead PID: the next run reaps
# them (wh_reap_stale), touching nothing but names with our prefix and a dead owner.
#
# Environment:
#   WIREHOP_TUNNEL        path of the wirehop-tunnel binary (else WIREHOP_TUNNEL_DEFAULT, set by meson)
#   WIREHOP_ALLOW_SKIP=1  exit 77 (skip) instead of failing when not root
#   WH_LOG_LEVEL          LOG_LEVEL given to the daemons (default: verbose; logs go to files that
#                         are printed when a test fails)
#   WH_KEEP=1             keep the scratch directory (keys, logs) after the run

WH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WH_PY=/usr/bin/python3          # Debian's python3, not whatever python3 is first on PATH
WH_PREFIX=wht                   # namespaces wht<PID>a / wht<PID>b, interfaces wht<PID><side><n>
WH_ID=$$
WH_MTU=1420
WH_RUNDIR=/var/run/wireguard

declare -gA WH_NS WH_VETH WH_OUT4 WH_OUT6 WH_TUN4 WH_TUN6 WH_PORT WH_IMPL WH_IF WH_PID
declare -gA WH_PRIV WH_PUB WH_IFCOUNT
WH_NS=([A]=${WH_PREFIX}${WH_ID}a [B]=${WH_PREFIX}${WH_ID}b)
WH_VETH=([A]=veth-a [B]=veth-b)
# Documentation and unique-local ranges, only ever configured inside our namespaces.
WH_OUT4=([A]=192.0.2.1 [B]=192.0.2.2)                       # outer link, /24
WH_OUT6=([A]=2001:db8:ab::1 [B]=2001:db8:ab::2)             # outer link, /64
WH_TUN4=([A]=198.51.100.1 [B]=198.51.100.2)                 # inside the tunnel, /24
WH_TUN6=([A]=fd77:6868:7770::1 [B]=fd77:6868:7770::2)       # inside the tunnel, /64
WH_PORT=([A]=51001 [B]=51002)
WH_IFCOUNT=([A]=0 [B]=0)
WH_OWNED_IFS=()                 # every interface name we handed to a daemon (for socket cleanup)
WH_BG_PIDS=()                   # helper processes (pingers, receivers) to end on exit
WH_TMP=""
WH_TEST_NAME=${WH_TEST_NAME:-$(basename "$0" .sh)}
WH_T0=$(date +%s.%N)
WH_TAP_N=0
WH_DONE=0

# ---------------------------------------------------------------------------------------------
# Output: TAP lines ("ok N - ...", "# ..."), a plan at the end, and one closing PASS/FAIL line.

wh_elapsed() { awk -v t0="$WH_T0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }'; }
wh_log() { echo "# [$(wh_elapsed)s] $*"; }
wh_ok() { WH_TAP_N=$((WH_TAP_N + 1)); echo "ok $WH_TAP_N - $* [$(wh_elapsed)s]"; }

wh_die() {
  WH_TAP_N=$((WH_TAP_N + 1))
  echo "not ok $WH_TAP_N - $*"
  wh_dump_logs
  echo "1..$WH_TAP_N"
  echo "# FAIL: $WH_TEST_NAME ($(wh_elapsed) s): $*"
  WH_DONE=1
  exit 1
}

wh_pass() {
  # A clean shutdown is part of passing: wh_stop fails the test if wirehop-tunnel does not exit 0.
  wh_stop A || wh_die "side A did not exit within 5 s of SIGTERM"
  wh_stop B || wh_die "side B did not exit within 5 s of SIGTERM"
  wh_ok "both daemons shut down cleanly on SIGTERM"
  echo "1..$WH_TAP_N"
  echo "# PASS: $WH_TEST_NAME ($(wh_elapsed) s)"
  WH_DONE=1
  exit 0
}

wh_dump_logs() {
  [ -n "$WH_TMP" ] && [ -d "$WH_TMP" ] || return 0
  local f
  for f in "$WH_TMP"/*.log; do
    [ -s "$f" ] || continue
    echo "# ---- last lines of $(basename "$f") ----"
    tail -n 40 "$f" | sed 's/^/#   /'
  done
}

# ---------------------------------------------------------------------------------------------
# Preconditions.

wh_require_root() {
  [ "$(id -u)" -eq 0 ] && return 0
  if [ "${WIREHOP_ALLOW_SKIP:-0}" = 1 ]; then
    echo "1..0 # SKIP $WH_TEST_NAME needs root (network namespaces, TUN); WIREHOP_ALLOW_SKIP=1 is set"
    exit 77
  fi
  echo "FAIL: $WH_TEST_NAME must run as root: it creates network namespaces and TUN devices." >&2
  echo "      Run it with sudo (sudo tools/dev test), or set WIREHOP_ALLOW_SKIP=1 to skip it." >&2
  exit 1
}

wh_require_tools() {
  local t missing=()
  for t in ip wg nft ping "$@"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ -x "$WH_PY" ] || missing+=("$WH_PY")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "FAIL: $WH_TEST_NAME: missing ${missing[*]} (sudo tools/dev deps installs them)" >&2
    exit 1
  fi
}

# Path of an implementation's binary, or a clear failure. wirehop-tunnel comes from
# WIREHOP_TUNNEL (or the build's path in WIREHOP_TUNNEL_DEFAULT): once a test asks for it,
# its absence is an error, never a skip.
wh_impl_bin() {
  local impl=$1 bin
  case "$impl" in
    wireguard-go)
      bin=$(command -v wireguard-go) || { echo "wireguard-go not installed (tools/dev deps)" >&2; return 1; } ;;
    wirehop-tunnel)
      bin=${WIREHOP_TUNNEL:-${WIREHOP_TUNNEL_DEFAULT:-}}
      if [ -z "$bin" ]; then
        echo "wirehop-tunnel requested but neither WIREHOP_TUNNEL nor WIREHOP_TUNNEL_DEFAULT is set" >&2
        return 1
      fi
      if [ ! -x "$bin" ]; then
        echo "wirehop-tunnel requested but $bin does not exist or is not executable (build it, or set WIREHOP_TUNNEL)" >&2
        return 1
      fi ;;
    *) echo "unknown implementation '$impl' (wireguard-go or wirehop-tunnel)" >&2; return 1 ;;
  esac
  echo "$bin"
}

# ---------------------------------------------------------------------------------------------
# Waiting: poll a command until it succeeds or a deadline passes. Never a fixed sleep.

# wh_wait_for SECONDS DESCRIPTION CMD... -> 0 when CMD succeeded in time, 1 otherwise
wh_wait_for() {
  local timeout=$1 desc=$2; shift 2
  local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
  while :; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [ "$(date +%s%N)" -ge "$deadline" ]; then
      echo "# timed out after ${timeout}s waiting for: $desc"
      return 1
    fi
    sleep 0.1
  done
}

wh_must_wait_for() {
  local timeout=$1 desc=$2
  wh_wait_for "$@" || wh_die "$desc (not within ${timeout}s)"
}

# ---------------------------------------------------------------------------------------------
# Namespaces, veth, cleanup.

wh_ns() { echo "${WH_NS[$1]}"; }
wh_other() { if [ "$1" = A ]; then echo B; else echo A; fi; }
# wh_in SIDE CMD...: run CMD inside SIDE's namespace
wh_in() { local side=$1; shift; ip netns exec "${WH_NS[$side]}" "$@"; }

# Remove what earlier runs left behind when they were killed outright: namespaces and sockets
# with our prefix whose owning PID no longer runs.
wh_reap_stale() {
  local ns pid p sock
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    [[ $ns =~ ^${WH_PREFIX}([0-9]+)[ab]$ ]] || continue
    pid=${BASH_REMATCH[1]}
    [ "$pid" = "$WH_ID" ] && continue
    kill -0 "$pid" 2>/dev/null && continue
    echo "# reaping stale namespace $ns (its run, PID $pid, is gone)"
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  for sock in "$WH_RUNDIR"/"$WH_PREFIX"*.sock; do
    [ -e "$sock" ] || continue
    [[ $(basename "$sock") =~ ^${WH_PREFIX}([0-9]+)[ab][0-9]+\.sock$ ]] || continue
    pid=${BASH_REMATCH[1]}
    kill -0 "$pid" 2>/dev/null && continue
    rm -f "$sock"
  done
}

wh_cleanup() {
  local rc=$? side pid p ifname i
  trap - EXIT INT TERM
  set +e
  for pid in "${WH_BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for side in A B; do
    pid=${WH_PID[$side]:-}
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  done
  # Give the daemons a moment to exit cleanly (they remove their sockets), then force.
  for i in $(seq 30); do
    p=0
    for side in A B; do
      pid=${WH_PID[$side]:-}
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && p=1
    done
    [ $p = 0 ] && break
    sleep 0.1
  done
  for side in A B; do
    pid=${WH_PID[$side]:-}
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    # Anything else still running in our namespaces was started by this run.
    if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "${WH_NS[$side]}"; then
      for p in $(ip netns pids "${WH_NS[$side]}" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
      ip netns del "${WH_NS[$side]}" 2>/dev/null
    fi
  done
  for ifname in "${WH_OWNED_IFS[@]}"; do rm -f "$WH_RUNDIR/$ifname.sock"; done
  if [ -n "$WH_TMP" ] && [ -d "$WH_TMP" ]; then
    if [ "${WH_KEEP:-0}" = 1 ]; then echo "# kept $WH_TMP"; else rm -rf "$WH_TMP"; fi
  fi
  if [ "$WH_DONE" = 0 ] && [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    echo "# FAIL: $WH_TEST_NAME ($(wh_elapsed) s): exited with status $rc"
  fi
  exit "$rc"
}

# wh_init: root check, tools, scratch directory, traps, stale reaping. Call first.
wh_init() {
  wh_require_root
  wh_require_tools "$@"
  # The implementations a test asks for must exist before anything is set up: a missing
  # wirehop-tunnel is a failure with its reason, never a skip.
  local impl why
  for impl in ${IMPL_A:-} ${IMPL_B:-}; do
    why=$(wh_impl_bin "$impl" 2>&1 >/dev/null) \
      || { echo "not ok 1 - $why"; echo "1..1"; echo "# FAIL: $WH_TEST_NAME: $why"; exit 1; }
  done
  WH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/wirehop-it.$WH_ID.XXXXXX")
  trap wh_cleanup EXIT
  trap 'echo "# interrupted"; exit 130' INT
  trap 'echo "# terminated"; exit 143' TERM
  wh_reap_stale
  mkdir -p "$WH_RUNDIR"
}

# wh_setup_netns: namespaces A and B, a veth pair created inside them (it never exists in the root
# namespace), IPv4 /24 and IPv6 /64 on it, loopback up. Waits until each side reaches the other.
wh_setup_netns() {
  local side
  for side in A B; do
    ip netns add "${WH_NS[$side]}" || wh_die "cannot create namespace ${WH_NS[$side]}"
  done
  ip link add "${WH_VETH[A]}" netns "${WH_NS[A]}" type veth \
    peer name "${WH_VETH[B]}" netns "${WH_NS[B]}" || wh_die "cannot create the veth pair"
  for side in A B; do
    wh_in "$side" ip link set lo up
    wh_in "$side" ip addr add "${WH_OUT4[$side]}/24" dev "${WH_VETH[$side]}"
    wh_in "$side" ip addr add "${WH_OUT6[$side]}/64" dev "${WH_VETH[$side]}" nodad
    wh_in "$side" ip link set "${WH_VETH[$side]}" up
  done
  wh_must_wait_for 10 "outer IPv4 link A->B" wh_in A ping -c1 -W0.3 "${WH_OUT4[B]}"
  wh_must_wait_for 10 "outer IPv6 link A->B" wh_in A ping -6 -c1 -W0.3 "${WH_OUT6[B]}"
  wh_ok "namespaces ${WH_NS[A]} (A) and ${WH_NS[B]} (B) joined by veth, IPv4 and IPv6 outer link up"
}

# ---------------------------------------------------------------------------------------------
# Implementations.

wh_keys() {
  local side
  for side in A B; do
    [ -n "${WH_PRIV[$side]:-}" ] && continue
    WH_PRIV[$side]=$WH_TMP/$side.key
    (umask 077; wg genkey >"${WH_PRIV[$side]}")
    WH_PUB[$side]=$(wg pubkey <"${WH_PRIV[$side]}")
  done
}

# wh_fresh_ifname SIDE: sets WH_NEWIF to a name no other interface of any run has
wh_fresh_ifname() {
  local side=$1 n
  n=${WH_IFCOUNT[$side]}
  WH_IFCOUNT[$side]=$((n + 1))
  WH_NEWIF="${WH_PREFIX}${WH_ID}${side,,}${n}"
}

wh_alive() { local pid=${WH_PID[$1]:-}; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# The daemon runs and answers on its UAPI socket.
wh_responsive() { wh_alive "$1" && wh_in "$1" wg show "${WH_IF[$1]}" >/dev/null 2>&1; }

wh_check_alive() {
  local side
  for side in "$@"; do
    wh_alive "$side" || wh_die "$side (${WH_IMPL[$side]}) process ${WH_PID[$side]:-?} is gone"
  done
}

wh_sock_ready() { [ -S "$WH_RUNDIR/$1.sock" ] && wg show "$1" >/dev/null 2>&1; }

# wh_start SIDE IMPL [IFNAME]: start IMPL in SIDE's namespace in the foreground (a background job of
# this shell) on a fresh interface (or IFNAME), and wait until its UAPI socket answers.
wh_start() {
  local side=$1 impl=$2 ifname=${3:-} bin
  bin=$(wh_impl_bin "$impl" 2>&1) || wh_die "cannot start $impl on side $side: $bin"
  if [ -z "$ifname" ]; then
    wh_fresh_ifname "$side"
    ifname=$WH_NEWIF
  fi
  WH_OWNED_IFS+=("$ifname")
  WH_IMPL[$side]=$impl
  WH_IF[$side]=$ifname
  echo "# ---- $(date +%T) start $impl -f $ifname ----" >>"$WH_TMP/$side-$impl.log"
  # LOG_LEVEL is wireguard-go's; WG_PROCESS_FOREGROUND keeps it from forking; wirehop-tunnel gets
  # the same environment (and -f).
  ip netns exec "${WH_NS[$side]}" env LOG_LEVEL="${WH_LOG_LEVEL:-verbose}" WG_PROCESS_FOREGROUND=1 \
    "$bin" -f "$ifname" >>"$WH_TMP/$side-$impl.log" 2>&1 &
  WH_PID[$side]=$!
  local deadline=$(( $(date +%s) + 10 ))
  until wh_in "$side" test -S "$WH_RUNDIR/$ifname.sock" && wh_in "$side" wg show "$ifname" >/dev/null 2>&1; do
    wh_alive "$side" || wh_die "$impl on side $side exited during startup"
    [ "$(date +%s)" -lt "$deadline" ] || wh_die "$impl on side $side: no UAPI socket $WH_RUNDIR/$ifname.sock within 10s"
    sleep 0.05
  done
  wh_in "$side" ip link show "$ifname" >/dev/null 2>&1 \
    || wh_die "$impl on side $side: interface $ifname missing in ${WH_NS[$side]}"
}

# wh_configure SIDE [4|6]: keys, listen port, the other side as peer (endpoint over the outer
# IPv4 or IPv6 address, allowed IPs = its tunnel /32 and /128), tunnel addresses, MTU, link up.
wh_configure() {
  local side=$1 outer=${2:-4} other endpoint ifname
  other=$(wh_other "$side")
  ifname=${WH_IF[$side]}
  if [ "$outer" = 6 ]; then
    endpoint="[${WH_OUT6[$other]}]:${WH_PORT[$other]}"
  else
    endpoint="${WH_OUT4[$other]}:${WH_PORT[$other]}"
  fi
  wh_in "$side" wg set "$ifname" private-key "${WH_PRIV[$side]}" listen-port "${WH_PORT[$side]}" \
    peer "${WH_PUB[$other]}" endpoint "$endpoint" \
    allowed-ips "${WH_TUN4[$other]}/32,${WH_TUN6[$other]}/128" \
    || wh_die "wg set on side $side (${WH_IMPL[$side]}) failed"
  wh_in "$side" ip addr add "${WH_TUN4[$side]}/24" dev "$ifname"
  wh_in "$side" ip addr add "${WH_TUN6[$side]}/64" dev "$ifname" nodad
  wh_in "$side" ip link set "$ifname" mtu "$WH_MTU" up
}

# wh_stop SIDE: SIGTERM and wait for the exit (SIGKILL after 5 s); returns 1 when it had to kill.
wh_stop() {
  local side=$1 pid=${WH_PID[$1]:-} i status=0
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    WH_PID[$side]=""
    return 1
  fi
  wait "$pid" 2>/dev/null || status=$?
  WH_PID[$side]=""
  # Ours must shut down cleanly on SIGTERM: exit 0, and under the sanitizers no leak or error report
  # (those turn the exit status non-zero).
  if [ "${WH_IMPL[$side]:-}" = wirehop-tunnel ] && [ "$status" -ne 0 ]; then
    wh_dump_logs
    wh_die "wirehop-tunnel on side $side exited with status $status after SIGTERM"
  fi
  return 0
}

# wh_up IMPL_A IMPL_B [4|6]: start and configure both sides (no traffic yet, so no handshake).
wh_up() {
  local impl_a=$1 impl_b=$2 outer=${3:-4}
  wh_keys
  wh_start A "$impl_a"
  wh_start B "$impl_b"
  wh_configure A "$outer"
  wh_configure B "$outer"
  wh_ok "A=$impl_a (${WH_IF[A]}) and B=$impl_b (${WH_IF[B]}) up and configured, IPv$outer outer transport"
}

# ---------------------------------------------------------------------------------------------
# Observations.

# wh_show SIDE FIELD: `wg show IF FIELD` for the single peer, value only (FIELD: latest-handshakes,
# transfer, endpoints, ...)
wh_show() { wh_in "$1" wg show "${WH_IF[$1]}" "$2" | awk -F'\t' 'NR == 1 { $1 = ""; sub(/^ /, ""); print }'; }
wh_handshake() { wh_show "$1" latest-handshakes; }
wh_rx() { wh_show "$1" transfer | awk '{print $1}'; }
wh_tx() { wh_show "$1" transfer | awk '{print $2}'; }
wh_has_handshake() { local t; t=$(wh_handshake "$1") && [ -n "$t" ] && [ "$t" != 0 ]; }

# wh_ping SIDE DEST [ping options]: one probe; success when a reply came
wh_ping1() { local side=$1 dst=$2; shift 2; wh_in "$side" ping -n -q -c1 -W1 "$@" "$dst"; }

# wh_wait_tunnel SIDE [SECONDS]: ping the other side's tunnel IPv4 address until it answers
wh_wait_tunnel() {
  local side=$1 timeout=${2:-20} other
  other=$(wh_other "$side")
  wh_must_wait_for "$timeout" "tunnel ping $side -> $other (${WH_TUN4[$other]})" wh_ping1 "$side" "${WH_TUN4[$other]}"
}

# wh_ping_run SIDE DEST COUNT [ping options]: run ping, print its summary, set WH_SENT/WH_RECV/WH_RTT
wh_ping_run() {
  local side=$1 dst=$2 count=$3 out; shift 3
  out=$(wh_in "$side" ping -n -q -c "$count" "$@" "$dst" 2>&1) || true
  WH_SENT=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
  WH_RECV=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
  WH_RTT=$(echo "$out" | sed -n 's/^rtt \(.*\)/\1/p')
  WH_SENT=${WH_SENT:-0} WH_RECV=${WH_RECV:-0}
  echo "# ping $side -> $dst: $WH_SENT sent, $WH_RECV received${WH_RTT:+, rtt $WH_RTT}"
}

# wh_ping_exact SIDE DEST COUNT [options]: COUNT pings, every one answered
wh_ping_exact() {
  local side=$1 dst=$2 count=$3; shift 3
  wh_ping_run "$side" "$dst" "$count" "$@"
  [ "$WH_SENT" = "$count" ] && [ "$WH_RECV" = "$count" ] \
    || wh_die "ping $side -> $dst $*: $WH_RECV of $count answered"
}

# ---------------------------------------------------------------------------------------------
# TCP transfer checked end to end with SHA-256 (tcpsum.py on both ends).

# wh_tcp FROM TO DEST_ADDR MEGABYTES [TIMEOUT]: send MEGABYTES of random data from FROM to DEST_ADDR
# (an address of TO) over TCP; the receiver hashes what arrives. Sets WH_MBPS.
wh_tcp() {
  local from=$1 to=$2 dst=$3 mb=$4 timeout=${5:-120} file sum ready out rpid port=5201 got
  file=$WH_TMP/data-$mb.bin
  if [ ! -f "$file" ]; then
    head -c "$((mb * 1024 * 1024))" /dev/urandom >"$file"
  fi
  sum=$(sha256sum "$file" | awk '{print $1}')
  ready=$WH_TMP/tcp-ready.$RANDOM
  out=$WH_TMP/tcp-recv.$RANDOM
  local bind=0.0.0.0
  [[ $dst == *:* ]] && bind=::
  wh_in "$to" "$WH_PY" -I "$WH_LIB_DIR/tcpsum.py" recv "$bind" "$port" "$ready" "$timeout" >"$out" 2>&1 &
  rpid=$!
  WH_BG_PIDS+=("$rpid")
  wh_must_wait_for 10 "TCP receiver listening in $to" test -f "$ready"
  local t0 t1
  t0=$(date +%s%N)
  wh_in "$from" "$WH_PY" -I "$WH_LIB_DIR/tcpsum.py" send "$dst" "$port" "$file" "$timeout" \
    || { wait "$rpid" 2>/dev/null; cat "$out"; wh_die "TCP send $from -> $dst ($mb MB) failed"; }
  wait "$rpid" || { cat "$out"; wh_die "TCP receiver in $to failed"; }
  t1=$(date +%s%N)
  got=$(cat "$out")
  WH_MBPS=$(awk -v b="$((mb * 1024 * 1024))" -v ns="$((t1 - t0))" 'BEGIN { printf "%.0f", b * 8 / (ns / 1e9) / 1e6 }')
  [ "$got" = "$((mb * 1024 * 1024)) $sum" ] \
    || wh_die "TCP $from -> $dst: received '$got', expected '$((mb * 1024 * 1024)) $sum'"
}

# ---------------------------------------------------------------------------------------------
# Loss injection: nftables in SIDE's namespace only, in a table of our own. Drops PCT% of the IPv4
# and IPv6 packets crossing SIDE's veth, independently in each direction.

wh_loss() {
  local side=$1 pct=$2 dev=${WH_VETH[$1]}
  wh_in "$side" nft -f - <<EOF || wh_die "nftables loss rule in ${WH_NS[$side]} failed"
table inet wirehop_test_loss {
  chain in {
    type filter hook input priority 0; policy accept;
    iifname "$dev" numgen random mod 100 < $pct counter drop
  }
  chain out {
    type filter hook output priority 0; policy accept;
    oifname "$dev" numgen random mod 100 < $pct counter drop
  }
}
EOF
}

wh_loss_clear() { wh_in "$1" nft delete table inet wirehop_test_loss 2>/dev/null || true; }

# Packets the loss rules dropped so far (both directions).
wh_loss_dropped() {
  wh_in "$1" nft list table inet wirehop_test_loss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' \
    | awk '{ s += $1 } END { print s + 0 }'
}
