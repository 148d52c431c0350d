#!/usr/bin/env bash
# The helper half of `tools/dev demo`: a private system bus with a polkit mock, wirehopd in a client
# namespace, a wireguard-go relay in another; wirehopctl connects to the relay, shows the state,
# traffic and routes, and disconnects. Root only; the root namespace is untouched.
#   WIREHOPD, WIREHOPCTL, WIREHOP_DATA_DIR   as for the helper tests (tools/dev sets them)
#   WIREHOP_DEMO_HOLD=1   stay connected until Ctrl-C (then everything is removed)
set -euo pipefail
source "$(dirname "$0")/helper-lib.sh"
WH_TEST_NAME=helper-demo
export WH_LOG_LEVEL=${WH_LOG_LEVEL:-error}

say() { printf '\n==> %s\n' "$*"; }
say "A private system bus, polkit (mock), namespaces ${WH_NS[A]} (client) and ${WH_NS[B]} (relay)"
hp_init
echo "bus: $DBUS_SYSTEM_BUS_ADDRESS"
echo "relay: wireguard-go on ${WH_OUT4[B]}:${WH_PORT[B]}, tunnel ${WH_TUN4[B]}, and $HP_BEHIND behind it"

say "wirehopd in ${WH_NS[A]}"
hp_start_helper
"$WIREHOPCTL" status

say "wirehopctl connect relay.conf --kill-switch"
hp_conf "$WH_TMP/relay.conf" "DNS = ${WH_TUN4[B]}"
sed 's/^PrivateKey = .*/PrivateKey = (hidden)/' "$WH_TMP/relay.conf"
echo
"$WIREHOPCTL" connect --kill-switch "$WH_TMP/relay.conf"

say "Through the tunnel: ping $HP_BEHIND (an address behind the relay)"
wh_in A ping -n -c 3 -i 0.2 "$HP_BEHIND"

say "What the helper set up: rules, its routing table, the kill switch"
wh_in A ip rule show
wh_in A ip route show table 30568
wh_in A nft list table inet wirehop | sed -n 1,12p
echo "..."
echo
if hp_outside_reachable; then
  echo "kill switch: TCP to ${WH_OUT4[B]}:$HP_OUTSIDE_PORT outside the tunnel PASSED (unexpected)"
else
  echo "kill switch: TCP to ${WH_OUT4[B]}:$HP_OUTSIDE_PORT outside the tunnel is blocked"
fi

if [ "${WIREHOP_DEMO_HOLD:-0}" = 1 ]; then
  say "Connected; Ctrl-C disconnects and removes everything"
  "$WIREHOPCTL" watch || true
fi

say "wirehopctl disconnect"
"$WIREHOPCTL" disconnect
echo "rules now:"
wh_in A ip rule show
hp_stop_helper
echo
echo "Demo done: namespaces, bus and processes are removed on exit."
