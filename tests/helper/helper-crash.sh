#!/usr/bin/env bash
# A helper killed outright (SIGKILL) while connected with the kill switch and DNS: its rules,
# firewall table and resolv.conf stay behind; the next helper finds the state file and removes them
# all before it serves, then connects again. Also: nothing any client can read holds the private key.
set -euo pipefail
source "$(dirname "$0")/helper-lib.sh"
hp_init

HP_NETNS_ETC=/etc/netns/${WH_NS[A]}
mkdir -p "$HP_NETNS_ETC"
printf 'nameserver 192.0.2.53\n' >"$HP_NETNS_ETC/resolv.conf"
cp "$HP_NETNS_ETC/resolv.conf" "$WH_TMP/resolv.conf.orig"

hp_snapshot >"$WH_TMP/before"
hp_start_helper
hp_conf "$WH_TMP/relay.conf" "DNS = ${WH_TUN4[B]}"
"$WIREHOPCTL" connect --kill-switch "$WH_TMP/relay.conf" >/dev/null 2>&1 || wh_die "connect failed"
wh_ping_exact A "$HP_BEHIND" 3 -i 0.05

# Another user reaches the bus socket (the scratch directory's files keep their own modes).
chmod 711 "$WH_TMP"
# No way back to the key for another client: the API, the files the helper writes, its log.
key=$(cat "${WH_PRIV[A]}")
raw_hex=$(base64 -d <"${WH_PRIV[A]}" | od -An -tx1 | tr -d ' \n')
leak=""
for reply in "$(hp_call GetState)" "$(hp_call GetStatistics)" \
  "$(gdbus call --system --dest "$HP_DEST" --object-path "$HP_PATH" --method org.freedesktop.DBus.Properties.GetAll "$HP_DEST")" \
  "$(gdbus introspect --system --dest "$HP_DEST" --object-path "$HP_PATH")" \
  "$(runuser -u nobody -- "$WIREHOPCTL" status 2>&1)"; do
  [[ $reply == *"$key"* ]] && leak+=" reply"
done
grep -rqF "$key" "$WH_TMP/state" "$WH_TMP/wirehopd.log" 2>/dev/null && leak+=" files-or-log"
[ -e /var/run/wireguard/wirehop0.sock ] && leak+=" uapi-socket"
tr '\0' '\n' <"/proc/$HP_HELPER_PID/cmdline" | hp_contains "$key" && leak+=" cmdline"
tr '\0' '\n' <"/proc/$HP_HELPER_PID/environ" | hp_contains "$key" && leak+=" environ"
[ -z "$leak" ] || wh_die "the private key can be read back through:$leak"
[ "$(stat -c %a "$WH_TMP/state")" = 700 ] || wh_die "the state directory is not 0700"
[ -z "$(hp_call GetState | grep -io "$raw_hex" || true)" ] || wh_die "the raw key appears in GetState"
wh_ok "the private key is in no reply (GetState, GetStatistics, properties, introspection, as nobody), file, log or socket"

hp_kill_helper
wh_in A nft list table inet wirehop >/dev/null 2>&1 || wh_die "the kill switch table is gone after SIGKILL (expected leftovers)"
wh_in A ip -4 rule show | hp_contains "lookup 30568" || wh_die "no rules left after SIGKILL (expected leftovers)"
cmp -s "$HP_NETNS_ETC/resolv.conf" "$WH_TMP/resolv.conf.orig" && wh_die "resolv.conf already restored (expected leftovers)"
[ -e "$WH_TMP/state/state" ] || wh_die "no state file after SIGKILL"
wh_ok "after SIGKILL: rules, table inet wirehop, resolv.conf and the state file are left behind"

hp_start_helper
hp_same_as "$WH_TMP/before" "the restarted helper did not clean up"
cmp "$HP_NETNS_ETC/resolv.conf" "$WH_TMP/resolv.conf.orig" || wh_die "resolv.conf not restored byte for byte"
grep -q "cleaning up after a previous helper" "$WH_TMP/wirehopd.log" || wh_die "the helper did not say it cleaned up"
wh_ok "restarted helper removed every leftover before serving"

"$WIREHOPCTL" connect --kill-switch "$WH_TMP/relay.conf" >/dev/null 2>&1 || wh_die "connect after recovery failed"
wh_ping_exact A "$HP_BEHIND" 3 -i 0.05
hp_stop_helper
hp_same_as "$WH_TMP/before" "SIGTERM while connected left something behind"
wh_ok "connect after recovery works; SIGTERM while connected removes everything"

hp_start_helper
hp_pass
