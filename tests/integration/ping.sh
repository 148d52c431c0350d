#!/usr/bin/env bash
# (a) 100 pings without loss, each side initiating in turn; IPv4 and IPv6 inside the tunnel and
# full-MTU packets with DF set. The first ping of each direction starts the handshake, so it also
# checks that packets staged during the handshake are delivered.
#   IMPL_A=wireguard-go IMPL_B=wireguard-go tests/integration/ping.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
wh_init
wh_log "A=$IMPL_A B=$IMPL_B"
wh_setup_netns

for initiator in A B; do
  responder=$(wh_other "$initiator")
  if [ "$initiator" = B ]; then
    # Fresh daemons (new interfaces, no session) so that B sends the first packet.
    wh_stop A; wh_stop B
  fi
  wh_up "$IMPL_A" "$IMPL_B"
  wh_has_handshake A && wh_die "handshake before any traffic"
  wh_ping_exact "$initiator" "${WH_TUN4[$responder]}" 100 -i 0.01 -W 2
  wh_has_handshake "$initiator" || wh_die "no handshake reported on $initiator after the pings"
  wh_ok "$initiator initiates: 100 IPv4 pings $initiator -> $responder, no loss"
  wh_ping_exact "$initiator" "${WH_TUN6[$responder]}" 50 -i 0.01 -W 2
  wh_ok "50 IPv6 pings $initiator -> $responder inside the tunnel, no loss"
  wh_ping_exact "$responder" "${WH_TUN4[$initiator]}" 50 -i 0.01 -W 2
  wh_ok "50 IPv4 pings back $responder -> $initiator, no loss"
  # 1392 + 28 = 1420 (IPv4), 1372 + 48 = 1420 (IPv6): exactly the tunnel MTU, DF set.
  wh_ping_exact "$initiator" "${WH_TUN4[$responder]}" 20 -i 0.01 -W 2 -s 1392 -M do
  wh_ping_exact "$responder" "${WH_TUN6[$initiator]}" 20 -i 0.01 -W 2 -s 1372 -M do
  wh_ok "full-MTU (1420-byte) IPv4 and IPv6 packets both ways"
  wh_check_alive A B
done
wh_pass
