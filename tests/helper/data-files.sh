#!/usr/bin/env bash
# The helper's system integration files as `meson install` puts them: well-formed, in the places
# D-Bus, polkit and systemd look, and agreeing with each other (bus name, binary, actions).
#   $1  the build directory
set -euo pipefail
build=$1
dest=$(mktemp -d "${TMPDIR:-/tmp}/wirehop-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
die() { n=$((n + 1)); echo "not ok $n - $*"; echo "1..$n"; exit 1; }

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$dest.log" 2>&1 \
  || { cat "$dest.log"; rm -f "$dest.log"; die "meson install failed"; }
rm -f "$dest.log"
find_one() { find "$dest" -path "*/$1" -type f | head -n 1; }
policy=$(find_one share/polkit-1/actions/io.github.wirehop.policy)
busconf=$(find_one share/dbus-1/system.d/io.github.wirehop.Helper1.conf)
activation=$(find_one share/dbus-1/system-services/io.github.wirehop.Helper1.service)
unit=$(find_one lib/systemd/system/wirehopd.service)
iface=$(find_one share/dbus-1/interfaces/io.github.wirehop.Helper1.xml)
helper=$(find "$dest" -path "*/libexec/wirehopd" -type f | head -n 1)
ctl=$(find "$dest" -path "*/bin/wirehopctl" -type f | head -n 1)
for f in policy busconf activation unit iface helper ctl; do
  [ -n "${!f}" ] || die "meson install did not install the $f file"
done
ok "installed: polkit actions, bus policy, activation file, systemd unit, interface XML, wirehopd, wirehopctl"

for f in "$policy" "$busconf" "$iface"; do
  xmllint --noout "$f" || die "$f is not well-formed XML"
done
ok "the XML files are well-formed"

action_default() { # ACTION ELEMENT
  xmllint --xpath "string(/policyconfig/action[@id='$1']/defaults/$2)" "$policy"
}
[ "$(action_default io.github.wirehop.connect allow_active)" = yes ] || die "connect: allow_active is not yes"
[ "$(action_default io.github.wirehop.manage allow_active)" = auth_admin_keep ] \
  || die "manage: allow_active is not auth_admin_keep"
[ "$(action_default io.github.wirehop.connect allow_any)" = auth_admin ] || die "connect: allow_any is not auth_admin"
ok "polkit: io.github.wirehop.connect (active: yes), io.github.wirehop.manage (active: auth_admin_keep)"

[ "$(xmllint --xpath "string(/busconfig/policy[@user='root']/allow/@own)" "$busconf")" = io.github.wirehop.Helper1 ] \
  || die "only root may own the name: the bus policy says otherwise"
[ "$(xmllint --xpath "count(/busconfig/policy[@context='default']/allow[@own])" "$busconf")" = 0 ] \
  || die "the default policy lets others own names"
ok "bus policy: only root owns io.github.wirehop.Helper1"

key() { sed -n "s/^$2=//p" "$1" | head -n 1; }
exec_start=$(key "$unit" ExecStart)
[ "$(key "$unit" Type)" = dbus ] || die "the unit is not Type=dbus"
[ "$(key "$unit" BusName)" = io.github.wirehop.Helper1 ] || die "the unit's BusName is wrong"
[ "$(key "$unit" NoNewPrivileges)" = yes ] || die "the unit lacks NoNewPrivileges=yes"
[ "$(key "$unit" CapabilityBoundingSet)" = "CAP_NET_ADMIN CAP_NET_RAW" ] || die "capabilities are not minimal"
[ "$(key "$unit" Restart)" = on-failure ] || die "the unit does not restart on failure"
[[ $exec_start == */libexec/wirehopd ]] || die "ExecStart=$exec_start"
[ -e "$dest$exec_start" ] || die "ExecStart names $exec_start, which is not what was installed"
ok "systemd unit: Type=dbus, BusName, NoNewPrivileges, CAP_NET_ADMIN CAP_NET_RAW only, ExecStart installed"

[ "$(key "$activation" Name)" = io.github.wirehop.Helper1 ] || die "activation: wrong Name"
[ "$(key "$activation" SystemdService)" = wirehopd.service ] || die "activation: no SystemdService=wirehopd.service"
[ "$(key "$activation" User)" = root ] || die "activation: not User=root"
[ "$(key "$activation" Exec)" = "$exec_start" ] || die "activation Exec differs from the unit's ExecStart"
ok "D-Bus activation: SystemdService=wirehopd.service, same binary as the unit"
echo "1..$n"
