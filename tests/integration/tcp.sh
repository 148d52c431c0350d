#!/usr/bin/env bash
# (b) A 50 MB TCP stream each way through the tunnel, intact: the receiver's SHA-256 of what arrived
# must equal the sender's, byte count included.
#   IMPL_A=wireguard-go IMPL_B=wireguard-go tests/integration/tcp.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
MB=${WH_TCP_MB:-50}
wh_init
wh_log "A=$IMPL_A B=$IMPL_B"
wh_setup_netns
wh_up "$IMPL_A" "$IMPL_B"
wh_wait_tunnel A
wh_tcp A B "${WH_TUN4[B]}" "$MB" 120
wh_ok "$MB MB A -> B over TCP/IPv4 intact (sha256 matches), $WH_MBPS Mbit/s"
wh_tcp B A "${WH_TUN4[A]}" "$MB" 120
wh_ok "$MB MB B -> A over TCP/IPv4 intact (sha256 matches), $WH_MBPS Mbit/s"
wh_tcp A B "${WH_TUN6[B]}" 10 120
wh_ok "10 MB A -> B over TCP/IPv6 inside the tunnel intact, $WH_MBPS Mbit/s"
wh_check_alive A B
wh_pass
