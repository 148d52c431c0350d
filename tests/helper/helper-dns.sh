#!/usr/bin/env bash
# DNS while connected, both ways: without systemd-resolved the namespace's resolv.conf (ip netns
# exec mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf) is replaced and restored byte for
# byte; with org.freedesktop.resolve1 on the bus (a dbusmock) the helper calls SetLinkDNS and
# SetLinkDomains("~.") for the tunnel link, RevertLink on Disconnect, and leaves resolv.conf alone.
set -euo pipefail
source "$(dirname "$0")/helper-lib.sh"
hp_init

# The namespace's own resolv.conf, with content a rewrite would not reproduce by accident.
HP_NETNS_ETC=/etc/netns/${WH_NS[A]}
mkdir -p "$HP_NETNS_ETC"
printf '# the user'"'"'s own resolv.conf\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0 trust-ad' \
  >"$HP_NETNS_ETC/resolv.conf"
cp "$HP_NETNS_ETC/resolv.conf" "$WH_TMP/resolv.conf.orig"
wh_in A cmp -s /etc/resolv.conf "$WH_TMP/resolv.conf.orig" || wh_die "ip netns exec does not show our resolv.conf"

hp_snapshot >"$WH_TMP/before"
hp_start_helper
hp_conf "$WH_TMP/dns.conf" "DNS = ${WH_TUN4[B]}, ${WH_TUN6[B]}, corp.example"
"$WIREHOPCTL" connect "$WH_TMP/dns.conf" >"$WH_TMP/connect.out" 2>&1 || { cat "$WH_TMP/connect.out"; wh_die "connect failed"; }
now=$(wh_in A cat /etc/resolv.conf)
echo "$now" | sed 's/^/#   /'
echo "$now" | hp_contains "nameserver ${WH_TUN4[B]}" || wh_die "resolv.conf lacks the tunnel's DNS server"
echo "$now" | hp_contains "nameserver ${WH_TUN6[B]}" || wh_die "resolv.conf lacks the IPv6 DNS server"
echo "$now" | hp_contains "192.0.2.53" && wh_die "the old server is still in resolv.conf"
wh_ok "connected without resolved: the namespace's resolv.conf points at the tunnel's DNS"
"$WIREHOPCTL" disconnect >/dev/null || wh_die "disconnect failed"
cmp "$HP_NETNS_ETC/resolv.conf" "$WH_TMP/resolv.conf.orig" || wh_die "resolv.conf not restored byte for byte"
hp_same_as "$WH_TMP/before" "the resolv.conf path left something behind"
wh_ok "Disconnect restored resolv.conf byte for byte (no trailing newline kept)"

# systemd-resolved present: a dbusmock of org.freedesktop.resolve1 on the private bus.
"$WH_PY" -m dbusmock --system org.freedesktop.resolve1 /org/freedesktop/resolve1 \
  org.freedesktop.resolve1.Manager >"$WH_TMP/resolved.log" 2>&1 &
WH_BG_PIDS+=("$!")
wh_must_wait_for 10 "the resolve1 mock" hp_name_has_owner org.freedesktop.resolve1
mock() {
  gdbus call --system --dest org.freedesktop.resolve1 --object-path /org/freedesktop/resolve1 \
    --method "org.freedesktop.DBus.Mock.$1" "${@:2}"
}
mock AddMethod org.freedesktop.resolve1.Manager SetLinkDNS 'ia(iay)' '' '' >/dev/null
mock AddMethod org.freedesktop.resolve1.Manager SetLinkDomains 'ia(sb)' '' '' >/dev/null
mock AddMethod org.freedesktop.resolve1.Manager SetLinkDefaultRoute 'ib' '' '' >/dev/null
mock AddMethod org.freedesktop.resolve1.Manager RevertLink 'i' '' '' >/dev/null

"$WIREHOPCTL" connect "$WH_TMP/dns.conf" >"$WH_TMP/connect.out" 2>&1 || { cat "$WH_TMP/connect.out"; wh_die "connect with resolved failed"; }
ifindex=$(wh_in A cat /sys/class/net/wirehop0/ifindex)
calls=$(mock GetCalls)
echo "# $calls"
echo "$calls" | hp_contains "'SetLinkDNS', [<$ifindex>, <[(2, [byte 0xc6, 0x33, 0x64, 0x02]), (10, [" \
  || wh_die "SetLinkDNS($ifindex, [198.51.100.2, ...]) not called"
echo "$calls" | hp_contains "'SetLinkDomains', [<$ifindex>, <[('~.', true)]>]" \
  || wh_die "SetLinkDomains($ifindex, ~.) not called"
cmp -s "$HP_NETNS_ETC/resolv.conf" "$WH_TMP/resolv.conf.orig" || wh_die "resolv.conf touched although resolved runs"
wh_ok "connected with resolved: SetLinkDNS and SetLinkDomains(~.) on link $ifindex, resolv.conf untouched"
"$WIREHOPCTL" disconnect >/dev/null || wh_die "disconnect failed"
mock GetCalls | hp_contains "'RevertLink', [<$ifindex>]" || wh_die "RevertLink($ifindex) not called"
hp_same_as "$WH_TMP/before" "the resolved path left something behind"
wh_ok "Disconnect: RevertLink($ifindex), nothing left behind"

hp_pass
