#!/usr/bin/env bash
# wg-quick drives side A's implementation (WG_QUICK_USERSPACE_IMPLEMENTATION), as a user would:
# `wg-quick up FILE.conf` creates the interface, configures keys, addresses, MTU and routes inside
# A's namespace; traffic flows to B; `wg showconf` gives back what the file said; `wg-quick down`
# removes the interface and the daemon exits. B is configured with wg set.
#   IMPL_A=wirehop-tunnel IMPL_B=wireguard-go tests/integration/wgquick.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
wh_init wg-quick
wh_log "A=$IMPL_A (by wg-quick) B=$IMPL_B"
wh_setup_netns
wh_keys

bin_a=$(wh_impl_bin "$IMPL_A" 2>&1) || wh_die "cannot find $IMPL_A: $bin_a"
wh_start B "$IMPL_B"
wh_fresh_ifname A
ifname=$WH_NEWIF
WH_OWNED_IFS+=("$ifname")
conf_dir=$WH_TMP/wg-quick
mkdir -m 700 "$conf_dir"
conf=$conf_dir/$ifname.conf
cat >"$conf" <<CONF
# Written by wgquick.sh
[Interface]
PrivateKey = $(cat "${WH_PRIV[A]}")
Address = ${WH_TUN4[A]}/24, ${WH_TUN6[A]}/64
MTU = 1380
ListenPort = ${WH_PORT[A]}

[Peer]
PublicKey = ${WH_PUB[B]}
Endpoint = ${WH_OUT4[B]}:${WH_PORT[B]}
AllowedIPs = ${WH_TUN4[B]}/32, ${WH_TUN6[B]}/128
PersistentKeepalive = 25
CONF
chmod 600 "$conf"

# wg-quick starts the daemon (which detaches by itself) and configures it with wg and ip.
wh_in A env WG_QUICK_USERSPACE_IMPLEMENTATION="$bin_a" WG_PROCESS_FOREGROUND= LOG_LEVEL=error \
  wg-quick up "$conf" >"$WH_TMP/wg-quick-up.log" 2>&1 || { cat "$WH_TMP/wg-quick-up.log"; wh_die "wg-quick up failed"; }
WH_IF[A]=$ifname
wh_ok "wg-quick up $ifname.conf with $IMPL_A"
wh_in A ip link show "$ifname" | grep -q "mtu 1380" || wh_die "wg-quick's MTU 1380 is not on $ifname"

# B points at A; A's persistent keepalive reaches out first.
wh_in B wg set "${WH_IF[B]}" private-key "${WH_PRIV[B]}" listen-port "${WH_PORT[B]}" \
  peer "${WH_PUB[A]}" endpoint "${WH_OUT4[A]}:${WH_PORT[A]}" \
  allowed-ips "${WH_TUN4[A]}/32,${WH_TUN6[A]}/128"
wh_in B ip addr add "${WH_TUN4[B]}/24" dev "${WH_IF[B]}"
wh_in B ip addr add "${WH_TUN6[B]}/64" dev "${WH_IF[B]}" nodad
wh_in B ip link set "${WH_IF[B]}" mtu 1380 up
wh_must_wait_for 10 "a handshake started by A's persistent keepalive" wh_has_handshake B
wh_ok "persistent keepalive from wg-quick's config made the session"
wh_ping_exact A "${WH_TUN4[B]}" 20 -i 0.02 -W 2
wh_ping_exact A "${WH_TUN6[B]}" 20 -i 0.02 -W 2
wh_ping_exact A "${WH_TUN4[B]}" 5 -i 0.02 -W 2 -s 1352 -M do
wh_ok "pings A -> B over IPv4 and IPv6, and at wg-quick's MTU (1380) with DF"

# showconf gives back what the file configured.
shown=$(wh_in A wg showconf "$ifname")
for expected in "PrivateKey = $(cat "${WH_PRIV[A]}")" "ListenPort = ${WH_PORT[A]}" "PublicKey = ${WH_PUB[B]}" \
  "PersistentKeepalive = 25" "Endpoint = ${WH_OUT4[B]}:${WH_PORT[B]}"; do
  grep -qxF "$expected" <<<"$shown" || wh_die "wg showconf lacks '$expected'"
done
grep -q "AllowedIPs = ${WH_TUN4[B]}/32, ${WH_TUN6[B]}/128" <<<"$shown" \
  || wh_die "wg showconf lacks the allowed IPs"
wh_ok "wg showconf matches the configuration file"

wh_in A wg-quick down "$conf" >"$WH_TMP/wg-quick-down.log" 2>&1 || { cat "$WH_TMP/wg-quick-down.log"; wh_die "wg-quick down failed"; }
wh_must_wait_for 10 "$ifname gone" bash -c "! ip netns exec ${WH_NS[A]} ip link show $ifname >/dev/null 2>&1"
wh_must_wait_for 10 "the UAPI socket removed" bash -c "[ ! -e $WH_RUNDIR/$ifname.sock ]"
wh_must_wait_for 10 "the daemon in A to exit" bash -c "[ -z \"\$(ip netns pids ${WH_NS[A]})\" ]"
wh_ok "wg-quick down: interface and socket gone, daemon exited"
WH_IF[A]=""
wh_stop B || wh_die "B did not stop"
echo "1..$WH_TAP_N"
echo "# PASS: $WH_TEST_NAME ($(wh_elapsed) s)"
WH_DONE=1
exit 0
