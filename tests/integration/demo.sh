#!/usr/bin/env bash
# The network half of `tools/dev demo`: a wireguard-go "relay" in one network namespace and the
# client implementation in another, joined by veth; shows `wg show`, a ping and a short iperf3
# figure through the tunnel, then removes everything. Root only; the root namespace is untouched.
#   IMPL_A   the client: wirehop-tunnel when its binary is found (WIREHOP_TUNNEL or
#            WIREHOP_TUNNEL_DEFAULT), else wireguard-go
set -euo pipefail
. "$(dirname "$0")/lib.sh"
WH_TEST_NAME=demo
export WH_LOG_LEVEL=${WH_LOG_LEVEL:-error}
if [ -z "${IMPL_A:-}" ]; then
  if wh_impl_bin wirehop-tunnel >/dev/null 2>&1; then
    IMPL_A=wirehop-tunnel
  else
    IMPL_A=wireguard-go
    echo "(wirehop-tunnel is not built yet: the client side runs wireguard-go too)"
  fi
fi
IMPL_B=wireguard-go
wh_init iperf3 ss

say() { printf '\n==> %s\n' "$*"; }
say "Two network namespaces: ${WH_NS[A]} (client) and ${WH_NS[B]} (relay), joined by a veth pair"
wh_setup_netns >/dev/null
wh_in A ip -brief addr show dev "${WH_VETH[A]}"
wh_in B ip -brief addr show dev "${WH_VETH[B]}"

say "Client: $IMPL_A; relay: $IMPL_B; keys from wg genkey, configured with wg set and ip"
wh_up "$IMPL_A" "$IMPL_B" >/dev/null
echo "client  ${WH_IF[A]}: ${WH_TUN4[A]}, ${WH_TUN6[A]}  (UDP ${WH_OUT4[A]}:${WH_PORT[A]})"
echo "relay   ${WH_IF[B]}: ${WH_TUN4[B]}, ${WH_TUN6[B]}  (UDP ${WH_OUT4[B]}:${WH_PORT[B]})"

say "ping through the tunnel, client -> relay (the first packet starts the handshake)"
wh_in A ping -n -c 5 -i 0.2 -W 2 "${WH_TUN4[B]}"
wh_in A ping -n -c 3 -i 0.2 -W 2 "${WH_TUN6[B]}" | tail -n 2

say "wg show on the client ($IMPL_A)"
wh_in A wg show "${WH_IF[A]}"
say "wg show on the relay ($IMPL_B)"
wh_in B wg show "${WH_IF[B]}"

say "iperf3, one TCP stream for 3 s, client -> relay through the tunnel"
wh_in B iperf3 -s -1 -B "${WH_TUN4[B]}" >/dev/null 2>&1 &
WH_BG_PIDS+=("$!")
iperf_listening() { wh_in B ss -Hltn "sport = :5201" | grep -q .; }
wh_must_wait_for 10 "iperf3 server" iperf_listening
wh_in A iperf3 -c "${WH_TUN4[B]}" -t 3 -f m | grep -E 'sender|receiver'

say "cleaning up: both daemons stopped, both namespaces deleted"
WH_DONE=1
