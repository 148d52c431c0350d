#!/usr/bin/env bash
# wirehopd end to end: Connect -> connected within 2 s, traffic through the tunnel to an address
# behind the relay, routes and rules as wg-quick makes them, status and watch from wirehopctl,
# a server switch while connected, Disconnect -> the namespace exactly as before.
set -euo pipefail
source "$(dirname "$0")/helper-lib.sh"
hp_init iperf3

hp_snapshot >"$WH_TMP/before"
hp_start_helper
wh_ok "wirehopd serves $HP_DEST in ${WH_NS[A]}"
[ "$(hp_state)" = disconnected ] || wh_die "a fresh helper is not disconnected: $(hp_call GetState)"
version=$(hp_call GetVersion)
[[ $version == *"0."* ]] || wh_die "GetVersion: $version"

# wirehopctl watch records every state change from here on.
"$WIREHOPCTL" watch >"$WH_TMP/watch.log" 2>&1 &
watch_pid=$!
WH_BG_PIDS+=("$watch_pid")
wh_must_wait_for 5 "wirehopctl watch running" grep -q watching "$WH_TMP/watch.log"

hp_conf "$WH_TMP/relay.conf"
t0=$(date +%s%N)
"$WIREHOPCTL" connect "$WH_TMP/relay.conf" >"$WH_TMP/connect.out" 2>&1 \
  || { cat "$WH_TMP/connect.out"; wh_die "wirehopctl connect failed"; }
t1=$(date +%s%N)
[ "$(hp_state)" = connected ] || wh_die "state after connect: $(hp_call GetState)"
ms=$(hp_connect_ms)
[ "$ms" -le 2000 ] || wh_die "connected only after $ms ms (limit 2000)"
wh_ok "wirehopctl connect: connected $ms ms after the helper took the request ($(( (t1 - t0) / 1000000 )) ms for the whole command)"
grep -q "profile: relay" "$WH_TMP/connect.out" || wh_die "connect output lacks the profile: $(cat "$WH_TMP/connect.out")"

# wg-quick's routing: default routes in the helper's table, the two rules per family, fwmark.
rules4=$(wh_in A ip -4 rule show)
rules6=$(wh_in A ip -6 rule show)
echo "$rules4" | sed 's/^/#   /'
echo "$rules4" | hp_contains "not from all fwmark 0x776870 lookup 30568" || wh_die "IPv4 fwmark rule missing"
echo "$rules4" | hp_contains "lookup main suppress_prefixlength 0" || wh_die "IPv4 suppress rule missing"
echo "$rules6" | hp_contains "not from all fwmark 0x776870 lookup 30568" || wh_die "IPv6 fwmark rule missing"
wh_in A ip -4 route show table 30568 | hp_contains "default dev wirehop0" || wh_die "IPv4 default route missing"
wh_in A ip -6 route show table 30568 | hp_contains "default dev wirehop0" || wh_die "IPv6 default route missing"
wh_in A ip -o addr show dev wirehop0 | hp_contains "${WH_TUN4[A]}/32" || wh_die "tunnel address missing: $(wh_in A ip -o addr show dev wirehop0)"
wh_in A ip link show wirehop0 | hp_contains "mtu 1420" || wh_die "tunnel MTU is not 1420"
wh_in A ip route get "$HP_BEHIND" | hp_contains "dev wirehop0" || wh_die "$HP_BEHIND is not routed into the tunnel"
wh_in A ip route get "${WH_OUT4[B]}" mark 0x776870 | hp_contains "dev ${WH_VETH[A]}" \
  || wh_die "the relay endpoint does not go out the physical link"
wh_ok "rules, table 30568, addresses and MTU as wg-quick sets them; the endpoint bypasses the tunnel"

wh_ping_exact A "$HP_BEHIND" 20 -i 0.05
wh_ping_exact A "${WH_TUN6[B]}" 10 -i 0.05
wh_ok "ping through the tunnel to $HP_BEHIND (behind the relay) and the relay's IPv6 tunnel address"
wh_tcp A B "$HP_BEHIND" 20
wh_ok "20 MB TCP to $HP_BEHIND through the tunnel, SHA-256 checked ($WH_MBPS Mbit/s)"

status=$("$WIREHOPCTL" status)
echo "$status" | sed 's/^/#   /'
echo "$status" | hp_contains "state: connected" || wh_die "status: $status"
echo "$status" | hp_contains "exit-endpoint: ${WH_OUT4[B]}:${WH_PORT[B]}" || wh_die "status lacks the endpoint"
echo "$status" | hp_contains "connected-since:" || wh_die "status lacks connected-since"
echo "$status" | hp_contains "last-handshake:" || wh_die "status lacks last-handshake"
tx=$(hp_call GetStatistics | sed -n "s/.*'tx-bytes': <uint64 \([0-9]*\)>.*/\1/p")
[ "${tx:-0}" -gt 20000000 ] || wh_die "GetStatistics tx-bytes ${tx:-none} after sending 20 MB"
wh_ok "status and statistics: endpoint, connected-since, handshake, tx $tx bytes"

# Switching servers while connected: a second relay (another wireguard-go on B) takes over.
second_priv=$WH_TMP/second.key
(umask 077; wg genkey >"$second_priv")
second_pub=$(wg pubkey <"$second_priv")
wh_fresh_ifname B
second_if=$WH_NEWIF
WH_OWNED_IFS+=("$second_if")
wh_in B env LOG_LEVEL=verbose WG_PROCESS_FOREGROUND=1 wireguard-go -f "$second_if" >"$WH_TMP/second.log" 2>&1 &
WH_BG_PIDS+=("$!")
wh_must_wait_for 10 "second relay socket" wh_in B wg show "$second_if"
wh_in B wg set "$second_if" private-key "$second_priv" listen-port 51003 \
  peer "${WH_PUB[A]}" allowed-ips "10.99.0.2/32"
wh_in B ip addr add 10.99.0.1/24 dev "$second_if"
wh_in B ip link set "$second_if" up
sed -e "s|^PublicKey = .*|PublicKey = $second_pub|" -e "s|:${WH_PORT[B]}$|:51003|" \
  -e "s|^Address = .*|Address = 10.99.0.2/32|" "$WH_TMP/relay.conf" >"$WH_TMP/second.conf"
"$WIREHOPCTL" connect --name second "$WH_TMP/second.conf" >"$WH_TMP/connect2.out" 2>&1 \
  || { cat "$WH_TMP/connect2.out"; wh_die "switching to the second relay failed"; }
hp_call GetState | hp_contains "'profile': <'second'>" || wh_die "after the switch: $(hp_call GetState)"
wh_ping_exact A 10.99.0.1 5 -i 0.05
wh_in A ip -o addr show dev wirehop0 | hp_contains "${WH_TUN4[A]}" && wh_die "the first server's address stayed"
[ "$(wh_in A ip -4 rule show | grep -c 'lookup 30568')" = 1 ] || wh_die "rules doubled after the switch"
wh_ok "Connect while connected switched to the second relay cleanly"

"$WIREHOPCTL" disconnect >"$WH_TMP/disconnect.out" 2>&1 || { cat "$WH_TMP/disconnect.out"; wh_die "disconnect failed"; }
[ "$(hp_state)" = disconnected ] || wh_die "state after disconnect: $(hp_call GetState)"
hp_same_as "$WH_TMP/before" "Disconnect left something behind"
wh_ok "Disconnect: rules, routes, links, addresses, nftables, resolv.conf as before"
"$WIREHOPCTL" disconnect >/dev/null || wh_die "Disconnect while disconnected failed"
wh_ok "Disconnect while disconnected is fine"

kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
for s in connecting connected disconnecting disconnected; do
  grep -q "state: $s" "$WH_TMP/watch.log" || { sed 's/^/#   /' "$WH_TMP/watch.log"; wh_die "watch missed $s"; }
done
[ "$(grep -c 'state: connected$' "$WH_TMP/watch.log")" -ge 2 ] || wh_die "watch did not see both connections"
wh_ok "wirehopctl watch printed every state change ($(grep -c 'state:' "$WH_TMP/watch.log") changes)"

hp_pass
