#!/usr/bin/env bash
# What wirehopd refuses, and that a refused call changes nothing: polkit saying no, a dozen kinds
# of invalid profile, what this helper does not support yet, and wirehopctl's own errors.
set -euo pipefail
source "$(dirname "$0")/helper-lib.sh"
hp_init

hp_snapshot >"$WH_TMP/before"
hp_start_helper
unchanged() {
  hp_same_as "$WH_TMP/before" "$1 changed the system"
  [ "$(hp_state)" = disconnected ] || wh_die "$1 changed the state: $(hp_call GetState)"
}

# polkit refuses everything: no change, and the read-only calls still answer.
hp_polkit_allow
hp_expect_error NotAuthorized Connect "$(hp_profile)"
echo "$HP_ERROR" | hp_contains "io.github.wirehop.connect" || wh_die "the refusal does not name the action: $HP_ERROR"
hp_expect_error NotAuthorized Disconnect
hp_expect_error NotAuthorized SetKillSwitch true
unchanged "a refused call"
hp_call GetState >/dev/null || wh_die "GetState refused without polkit"
hp_call GetStatistics >/dev/null || wh_die "GetStatistics refused without polkit"
hp_call GetVersion >/dev/null || wh_die "GetVersion refused without polkit"
gdbus call --system --dest "$HP_DEST" --object-path "$HP_PATH" --method org.freedesktop.DBus.Properties.GetAll \
  "$HP_DEST" | hp_contains "'KillSwitch': <false>" || wh_die "properties not readable"
wh_ok "polkit refusing: Connect, Disconnect, SetKillSwitch get NotAuthorized; reading is open; nothing changed"

# Only connect allowed: the system setting still needs io.github.wirehop.manage.
hp_polkit_allow io.github.wirehop.connect
hp_expect_error NotAuthorized SetKillSwitch true
echo "$HP_ERROR" | hp_contains "io.github.wirehop.manage" || wh_die "the refusal does not name manage: $HP_ERROR"
[ -e "$WH_TMP/settings.ini" ] && wh_die "a refused SetKillSwitch wrote the settings"
wh_ok "SetKillSwitch needs io.github.wirehop.manage, not just connect"
hp_polkit_allow io.github.wirehop.connect io.github.wirehop.manage

# Invalid profiles: each refused with InvalidProfile naming the field; nothing changes.
pub=${WH_PUB[B]}
ep="${WH_OUT4[B]}:${WH_PORT[B]}"
invalid=(
  "private-key|private-key=<'c2hvcnQ='>"
  "private-key|private-key="
  "addresses[0]|addresses=<['10.0.0.300/32']>"
  "addresses|addresses=<@as []>"
  "dns[0]|dns=<['resolver.example']>"
  "mtu|mtu=<uint32 200>"
  "hops|hops=<@aa{sv} []>"
  "hops[0].endpoint|hops=<[{'public-key': <'$pub'>, 'endpoint': <'${WH_OUT4[B]}'>, 'allowed-ips': <['0.0.0.0/0']>}]>"
  "hops[0].endpoint|hops=<[{'public-key': <'$pub'>, 'endpoint': <'${WH_OUT4[B]}:0'>, 'allowed-ips': <['0.0.0.0/0']>}]>"
  "hops[0].public-key|hops=<[{'public-key': <'not-a-key'>, 'endpoint': <'$ep'>, 'allowed-ips': <['0.0.0.0/0']>}]>"
  "hops[0].allowed-ips[0]|hops=<[{'public-key': <'$pub'>, 'endpoint': <'$ep'>, 'allowed-ips': <['0.0.0.0/33']>}]>"
  "hops[0].preshared-key|hops=<[{'public-key': <'$pub'>, 'endpoint': <'$ep'>, 'allowed-ips': <['::/0']>, 'preshared-key': <'x'>}]>"
  "kill-switch|kill-switch=<'yes'>"
  "name|name="
  "colour|colour=<'blue'>"
)
for case in "${invalid[@]}"; do
  field=${case%%|*}
  override=${case#*|}
  hp_expect_error InvalidProfile Connect "$(hp_profile "$override")"
  [[ $HP_ERROR == "Invalid profile: $field: "* ]] || wh_die "for $field the error was: $HP_ERROR"
  echo "#   $HP_ERROR"
done
# The key is never echoed back, even when it is the thing that is wrong.
hp_expect_error InvalidProfile Connect "$(hp_profile "private-key=<'$(cat "${WH_PRIV[A]}")x'>")"
echo "$HP_ERROR" | hp_contains "$(cat "${WH_PRIV[A]}")" && wh_die "the error echoed the private key"
unchanged "an invalid profile"
wh_ok "${#invalid[@]} kinds of invalid profile: InvalidProfile naming the field, nothing changed"

hp_expect_error NotSupported Connect "$(hp_profile "daita=<true>")"
echo "#   $HP_ERROR"
hop="{'public-key': <'$pub'>, 'endpoint': <'$ep'>, 'allowed-ips': <['0.0.0.0/0']>}"
entry="{'public-key': <'$(wg genkey | wg pubkey)'>, 'endpoint': <'192.0.2.9:51820'>, 'allowed-ips': <['${WH_OUT4[B]}/32']>}"
hp_expect_error NotSupported Connect "$(hp_profile "hops=<[$entry, $hop]>")"
echo "#   $HP_ERROR"
unchanged "an unsupported profile"
wh_ok "DAITA and multihop profiles: NotSupported with a clear message, nothing changed"

# wirehopctl's errors: unreadable file, a bad line, garbage, and no helper at all.
out=$("$WIREHOPCTL" connect "$WH_TMP/missing.conf" 2>&1) && wh_die "connect with a missing file succeeded"
echo "$out" | hp_contains "cannot read $WH_TMP/missing.conf" || wh_die "missing file: $out"
hp_conf "$WH_TMP/bad.conf"
sed -i 's|^Address = .*|Address = 10.0.0.300/32|' "$WH_TMP/bad.conf"
out=$("$WIREHOPCTL" connect "$WH_TMP/bad.conf" 2>&1) && wh_die "connect with a bad file succeeded"
echo "$out" | hp_contains "$WH_TMP/bad.conf:3:" || wh_die "bad line not reported with its number: $out"
head -c 2000000 /dev/urandom >"$WH_TMP/garbage.conf"
out=$("$WIREHOPCTL" connect "$WH_TMP/garbage.conf" 2>&1) && wh_die "connect with garbage succeeded"
echo "$out" | hp_contains "larger than 1 MiB" || wh_die "garbage: $out"
hp_conf "$WH_TMP/postup.conf" "PostUp = iptables -A FORWARD"
out=$("$WIREHOPCTL" connect --no-wait "$WH_TMP/postup.conf" 2>&1) || wh_die "connect with PostUp failed: $out"
echo "$out" | hp_contains "$WH_TMP/postup.conf:4: warning:" || wh_die "no warning for PostUp: $out"
"$WIREHOPCTL" disconnect >/dev/null || wh_die "disconnect failed"
echo "#   $out"
hp_stop_helper
out=$("$WIREHOPCTL" status 2>&1) && wh_die "status without a helper succeeded"
echo "$out" | hp_contains "is not running" || wh_die "missing helper: $out"
echo "#   $out"
hp_same_as "$WH_TMP/before" "the wirehopctl checks left something behind"
wh_ok "wirehopctl: missing file, bad line (with its number), garbage, PostUp warning, missing helper"

hp_start_helper
hp_pass
