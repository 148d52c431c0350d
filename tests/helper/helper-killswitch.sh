#!/usr/bin/env bash
# The kill switch: traffic outside the tunnel is dropped while connected and in error, allowed
# again after Disconnect; the system-wide default (SetKillSwitch) persists and applies at once; a
# relay that is down ends in error(handshake-timeout) after the documented 15 s, still blocking.
set -euo pipefail
source "$(dirname "$0")/helper-lib.sh"
hp_init

hp_snapshot >"$WH_TMP/before"
hp_start_helper
hp_outside_reachable || wh_die "the relay's outside service is not reachable before connecting"
hp_conf "$WH_TMP/relay.conf"

"$WIREHOPCTL" connect --kill-switch "$WH_TMP/relay.conf" >"$WH_TMP/connect.out" 2>&1 \
  || { cat "$WH_TMP/connect.out"; wh_die "connect --kill-switch failed"; }
hp_call GetState | hp_contains "'kill-switch': <true>" || wh_die "details do not show the kill switch"
wh_in A nft list table inet wirehop >/dev/null || wh_die "table inet wirehop missing while connected"
hp_outside_reachable && wh_die "TCP to ${WH_OUT4[B]}:$HP_OUTSIDE_PORT outside the tunnel passed the kill switch"
wh_ping_exact A "$HP_BEHIND" 10 -i 0.05
wh_ok "kill switch on: outside TCP dropped, the tunnel carries traffic"

"$WIREHOPCTL" disconnect >/dev/null || wh_die "disconnect failed"
hp_outside_reachable || wh_die "outside traffic still blocked after Disconnect"
hp_same_as "$WH_TMP/before" "Disconnect with the kill switch left something behind"
wh_ok "after Disconnect: outside TCP passes, table inet wirehop gone, nothing left"

# The system-wide default: persisted, and applied to a connection whose profile does not ask.
hp_call SetKillSwitch true >/dev/null || wh_die "SetKillSwitch true failed"
gdbus call --system --dest "$HP_DEST" --object-path "$HP_PATH" --method org.freedesktop.DBus.Properties.Get \
  "$HP_DEST" KillSwitch | hp_contains "<true>" || wh_die "KillSwitch property not true"
grep -q "kill-switch=true" "$WH_TMP/settings.ini" || wh_die "the default was not saved"
"$WIREHOPCTL" connect "$WH_TMP/relay.conf" >/dev/null 2>&1 || wh_die "connect with the default failed"
hp_outside_reachable && wh_die "the kill switch default did not block"
hp_call SetKillSwitch false >/dev/null || wh_die "SetKillSwitch false failed"
wh_must_wait_for 5 "outside traffic allowed once the default is off" hp_outside_reachable
wh_in A nft list table inet wirehop >/dev/null 2>&1 && wh_die "table stayed after the default went off"
wh_ping_exact A "$HP_BEHIND" 3 -i 0.05
"$WIREHOPCTL" disconnect >/dev/null || wh_die "disconnect failed"
hp_same_as "$WH_TMP/before" "the kill switch default left something behind"
wh_ok "SetKillSwitch: saved, blocks a connection that did not ask, lifted at once when turned off"

# Relay down: error(handshake-timeout) after the documented time, and the kill switch keeps blocking.
wh_stop B || true
"$WIREHOPCTL" connect --kill-switch --no-wait "$WH_TMP/relay.conf" >/dev/null 2>&1 || wh_die "connect --no-wait failed"
t0=$(date +%s%N)
wh_must_wait_for 40 "error state with the relay down" hp_state_is error
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
state=$(hp_call GetState)
echo "# $state"
echo "$state" | hp_contains "'cause': <'handshake-timeout'>" || wh_die "cause is not handshake-timeout: $state"
echo "$state" | hp_contains "within 15 s" || wh_die "the message does not give the time: $state"
[ "$ms" -ge 14000 ] && [ "$ms" -le 25000 ] || wh_die "error after $ms ms, documented 15 s"
wh_ok "relay down: error(handshake-timeout) after $ms ms (documented: 15 s)"
hp_outside_reachable && wh_die "outside traffic passes in the error state with the kill switch on"
wh_in A ip link show wirehop0 >/dev/null 2>&1 && wh_die "the tunnel interface stayed in the error state"
[ -n "$(wh_in A ip -4 rule show | grep 30568 || true)" ] && wh_die "routing rules stayed in the error state"
wh_ok "in error the kill switch still blocks; tunnel, routes and rules are gone"
"$WIREHOPCTL" disconnect >/dev/null || wh_die "disconnect from error failed"
[ "$(hp_state)" = disconnected ] || wh_die "state after disconnect from error: $(hp_state)"
hp_outside_reachable || wh_die "outside traffic blocked after Disconnect from error"
hp_same_as "$WH_TMP/before" "Disconnect from error left something behind"
wh_ok "Disconnect from error: disconnected, nothing left behind"

hp_pass
