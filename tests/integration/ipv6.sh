#!/usr/bin/env bash
# (c) IPv6 as the outer transport (endpoints [2001:db8:ab::N]:port) carrying IPv4 and IPv6 inside,
# both directions, full-MTU packets (1420 + 80 bytes of IPv6/UDP/WireGuard overhead = 1500) and a
# TCP stream; `wg show endpoints` reports the IPv6 endpoint that was actually used.
#   IMPL_A=wireguard-go IMPL_B=wireguard-go tests/integration/ipv6.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
wh_init
wh_log "A=$IMPL_A B=$IMPL_B"
wh_setup_netns
# No IPv4 on the outer link at all, so nothing can fall back to it.
wh_in A ip -4 addr flush dev "${WH_VETH[A]}"
wh_in B ip -4 addr flush dev "${WH_VETH[B]}"
wh_up "$IMPL_A" "$IMPL_B" 6

wh_ping_exact A "${WH_TUN6[B]}" 100 -i 0.01 -W 2
wh_ok "100 IPv6-in-IPv6 pings A -> B (A initiates), no loss"
wh_ping_exact B "${WH_TUN4[A]}" 100 -i 0.01 -W 2
wh_ok "100 IPv4-in-IPv6 pings B -> A, no loss"
wh_ping_exact A "${WH_TUN6[B]}" 20 -i 0.01 -W 2 -s 1372 -M do
wh_ping_exact B "${WH_TUN4[A]}" 20 -i 0.01 -W 2 -s 1392 -M do
wh_ok "full-MTU packets both ways over the IPv6 transport"

for side in A B; do
  other=$(wh_other "$side")
  ep=$(wh_show "$side" endpoints)
  [ "$ep" = "[${WH_OUT6[$other]}]:${WH_PORT[$other]}" ] \
    || wh_die "$side reports endpoint '$ep', expected [${WH_OUT6[$other]}]:${WH_PORT[$other]}"
done
wh_ok "wg show endpoints: [${WH_OUT6[B]}]:${WH_PORT[B]} on A, [${WH_OUT6[A]}]:${WH_PORT[A]} on B"

wh_tcp B A "${WH_TUN6[A]}" 20 120
wh_ok "20 MB B -> A over TCP/IPv6 in IPv6 intact, $WH_MBPS Mbit/s"

# The same, the other side initiating, from fresh daemons.
wh_stop A; wh_stop B
wh_up "$IMPL_A" "$IMPL_B" 6
wh_ping_exact B "${WH_TUN6[A]}" 100 -i 0.01 -W 2
wh_ok "B initiates over IPv6: 100 pings, no loss"
wh_check_alive A B
wh_pass
