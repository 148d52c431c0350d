#!/usr/bin/env bash
# (g) One peer restarted with the same keys: B, then A. The victim gets SIGTERM and must exit
# cleanly and remove its UAPI socket and interface; it comes back on the same interface name with
# the same private key, port and peer. Meanwhile the survivor keeps pinging through its stale
# session. From the moment the restarted peer is configured, pings must pass both ways within
# 10 s: the restarted side sends first, so it initiates, and the survivor must accept a fresh
# handshake from a peer it holds a session with and drop the stale keys.
#   IMPL_A=wireguard-go IMPL_B=wireguard-go tests/integration/restart.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
RECOVERY=${WH_RECOVERY_SECONDS:-10}
wh_init
wh_log "A=$IMPL_A B=$IMPL_B"
wh_setup_netns
wh_up "$IMPL_A" "$IMPL_B"
wh_wait_tunnel A
wh_ping_exact B "${WH_TUN4[A]}" 10 -i 0.01 -W 2
wh_ok "tunnel up both ways"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
clock_past() { [ "$(date +%s)" -gt "$1" ]; }

for victim in B A; do
  survivor=$(wh_other "$victim")
  impl=${WH_IMPL[$victim]}
  ifname=${WH_IF[$victim]}
  hs_before=$(wh_handshake "$survivor")
  # Handshake times have one-second resolution: let the clock leave that second so a new
  # handshake is visible as a new time.
  wh_must_wait_for 3 "the clock to pass $hs_before" clock_past "$hs_before"

  # Continuous traffic from the survivor through the restart.
  wh_in "$survivor" ping -n -q -i 0.2 -W 1 -w 60 "${WH_TUN4[$victim]}" >/dev/null 2>&1 &
  pinger=$!
  WH_BG_PIDS+=("$pinger")

  wh_stop "$victim" || wh_die "$victim ($impl) did not exit within 5 s of SIGTERM"
  ! [ -e "$WH_RUNDIR/$ifname.sock" ] || wh_die "$victim ($impl) left its socket $WH_RUNDIR/$ifname.sock behind"
  ! wh_in "$victim" ip link show "$ifname" >/dev/null 2>&1 || wh_die "$victim ($impl) left interface $ifname behind"
  wh_ok "$victim ($impl) stopped by SIGTERM: exited, socket and interface removed"

  wh_start "$victim" "$impl" "$ifname"
  wh_configure "$victim"
  t0=$(now_ms)
  wh_ok "$victim ($impl) restarted on $ifname with the same keys"

  # The restarted side probes first, then the survivor; both must answer within the limit.
  deadline=$((t0 + RECOVERY * 1000))
  up_victim="" up_survivor=""
  while [ -z "$up_victim" ] || [ -z "$up_survivor" ]; do
    [ "$(now_ms)" -le "$deadline" ] || wh_die "tunnel not recovered ${RECOVERY}s after restarting $victim (victim->survivor: ${up_victim:-no}, survivor->victim: ${up_survivor:-no})"
    if [ -z "$up_victim" ] && wh_in "$victim" ping -n -q -c1 -W0.5 "${WH_TUN4[$survivor]}" >/dev/null 2>&1; then
      up_victim=$(( $(now_ms) - t0 ))ms
    fi
    if [ -z "$up_survivor" ] && wh_in "$survivor" ping -n -q -c1 -W0.5 "${WH_TUN4[$victim]}" >/dev/null 2>&1; then
      up_survivor=$(( $(now_ms) - t0 ))ms
    fi
  done
  kill "$pinger" 2>/dev/null || true
  wait "$pinger" 2>/dev/null || true
  hs_after=$(wh_handshake "$survivor")
  [ "$hs_after" -gt "$hs_before" ] || wh_die "the survivor's handshake time did not advance ($hs_before -> $hs_after)"
  wh_ok "recovered after restarting $victim: $victim -> $survivor in $up_victim, $survivor -> $victim in $up_survivor (limit ${RECOVERY}s); new handshake on $survivor"
  wh_ping_exact "$survivor" "${WH_TUN4[$victim]}" 50 -i 0.01 -W 2
  wh_ping_exact "$victim" "${WH_TUN6[$survivor]}" 50 -i 0.01 -W 2
  wh_ok "50 pings each way after the restart, none lost"
  wh_check_alive A B
done
wh_pass
