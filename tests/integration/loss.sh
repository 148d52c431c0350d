#!/usr/bin/env bash
# (f) 10% random loss on the veth (nftables `numgen random mod 100 < 10 drop` in B's namespace, on
# B's veth, each direction independently, so about 19% of round trips fail). The handshake
# completes through the loss (retries), pings mostly get through, and TCP streams each way still
# arrive intact. The nftables counters prove the loss was real.
#   IMPL_A=wireguard-go IMPL_B=wireguard-go tests/integration/loss.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
LOSS=${WH_LOSS_PERCENT:-10}
MB=${WH_LOSS_MB:-20}
wh_init
wh_log "A=$IMPL_A B=$IMPL_B"
wh_setup_netns
wh_loss B "$LOSS"
wh_ok "nftables: $LOSS% random drop on ${WH_VETH[B]} in ${WH_NS[B]}, both directions"
wh_up "$IMPL_A" "$IMPL_B"

# The handshake itself may lose a message; REKEY_TIMEOUT (5 s) retries it.
wh_wait_tunnel A 45
wh_ok "handshake and first ping through the loss"

# 10% each way: about 81 of 100 round trips succeed (standard deviation about 4).
wh_ping_run A "${WH_TUN4[B]}" 100 -i 0.01 -W 1
[ "$WH_RECV" -ge 55 ] || wh_die "only $WH_RECV of 100 pings answered under $LOSS% loss (about 81 expected)"
wh_ok "100 pings A -> B under loss: $WH_RECV answered (about 81 expected)"
wh_ping_run B "${WH_TUN6[A]}" 100 -i 0.01 -W 1
[ "$WH_RECV" -ge 55 ] || wh_die "only $WH_RECV of 100 IPv6 pings answered under $LOSS% loss (about 81 expected)"
wh_ok "100 IPv6 pings B -> A under loss: $WH_RECV answered"

wh_tcp A B "${WH_TUN4[B]}" "$MB" 150
wh_ok "$MB MB A -> B over TCP intact under loss, $WH_MBPS Mbit/s"
wh_tcp B A "${WH_TUN4[A]}" "$MB" 150
wh_ok "$MB MB B -> A over TCP intact under loss, $WH_MBPS Mbit/s"

dropped=$(wh_loss_dropped B)
[ "$dropped" -gt 0 ] || wh_die "the loss rules dropped nothing: the test did not test loss"
wh_ok "nftables dropped $dropped packets on the veth"

wh_loss_clear B
wh_ping_exact A "${WH_TUN4[B]}" 50 -i 0.01 -W 2
wh_ok "loss removed: 50 pings, none lost"
wh_check_alive A B
wh_pass
