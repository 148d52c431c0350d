#!/usr/bin/env bash
# (h) Malformed datagrams at the UDP port: every size 0..2000 of random bytes, every type byte with
# zero reserved bytes at every size, the exact handshake/cookie sizes (some with a valid mac1, so
# they reach the handshake code), data messages with chosen receiver indices, and real captured
# transport messages replayed, bit-flipped and truncated (malformed.py). B is the target first,
# then A, over IPv4 and (a sample) over IPv6, from the other namespace's address but another port.
# Afterwards the target still runs, answers `wg show`, kept its peer's real endpoint (nothing
# unauthenticated moved it), and the tunnel passes pings both ways without loss.
#   IMPL_A=wireguard-go IMPL_B=wireguard-go tests/integration/malformed.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
wh_init
wh_log "A=$IMPL_A B=$IMPL_B"
wh_setup_netns
wh_up "$IMPL_A" "$IMPL_B"
wh_wait_tunnel A
wh_ping_exact B "${WH_TUN4[A]}" 10 -i 0.01 -W 2
wh_ok "tunnel up both ways"

udp_stats() { # udp_stats SIDE: "InDatagrams RcvbufErrors" for UDP and UDP6 together
  wh_in "$1" cat /proc/net/snmp /proc/net/snmp6 | awk '
    /^Udp: InDatagrams/ { for (i = 2; i <= NF; i++) h[i] = $i; next }
    /^Udp: [0-9]/ { for (i = 2; i <= NF; i++) { if (h[i] == "InDatagrams") d += $i; if (h[i] == "RcvbufErrors") e += $i } }
    /^Udp6InDatagrams/ { d += $2 } /^Udp6RcvbufErrors/ { e += $2 }
    END { print d + 0, e + 0 }'
}

for victim in B A; do
  sender=$(wh_other "$victim")
  read -r d0 e0 < <(udp_stats "$victim")
  # Traffic through the tunnel during the flood (its losses are not judged, only what follows).
  wh_in "$sender" ping -n -q -i 0.05 -W 1 -w 60 "${WH_TUN4[$victim]}" >/dev/null 2>&1 &
  pinger=$!
  WH_BG_PIDS+=("$pinger")
  wh_in "$sender" "$WH_PY" -I "$WH_LIB_DIR/malformed.py" "${WH_OUT4[$victim]}" "${WH_PORT[$victim]}" \
    "${WH_PUB[$victim]}" --capture-dev "${WH_VETH[$sender]}" --tunnel-dst "${WH_TUN4[$victim]}" \
    ${WH_MALFORMED_SEED:+--seed "$WH_MALFORMED_SEED"} || wh_die "malformed.py (IPv4) failed"
  wh_in "$sender" "$WH_PY" -I "$WH_LIB_DIR/malformed.py" "${WH_OUT6[$victim]}" "${WH_PORT[$victim]}" \
    "${WH_PUB[$victim]}" --quick ${WH_MALFORMED_SEED:+--seed "$WH_MALFORMED_SEED"} || wh_die "malformed.py (IPv6) failed"
  kill "$pinger" 2>/dev/null || true
  wait "$pinger" 2>/dev/null || true
  read -r d1 e1 < <(udp_stats "$victim")
  wh_log "$victim's namespace received $((d1 - d0)) UDP datagrams, $((e1 - e0)) dropped for a full socket buffer"

  wh_alive "$victim" || wh_die "$victim (${WH_IMPL[$victim]}) died under malformed datagrams"
  wh_responsive "$victim" || wh_die "$victim (${WH_IMPL[$victim]}) no longer answers wg show"
  wh_ok "$victim (${WH_IMPL[$victim]}) survived the malformed datagrams and answers wg show"
  ep=$(wh_show "$victim" endpoints)
  [ "$ep" = "${WH_OUT4[$sender]}:${WH_PORT[$sender]}" ] \
    || wh_die "$victim's endpoint for its peer moved to '$ep' (expected ${WH_OUT4[$sender]}:${WH_PORT[$sender]})"
  wh_ok "$victim's peer endpoint still ${WH_OUT4[$sender]}:${WH_PORT[$sender]}"
  wh_ping_exact "$sender" "${WH_TUN4[$victim]}" 50 -i 0.01 -W 2
  wh_ping_exact "$victim" "${WH_TUN6[$sender]}" 50 -i 0.01 -W 2
  wh_ok "tunnel still works: 50 pings each way, none lost"
done
wh_check_alive A B
wh_pass
