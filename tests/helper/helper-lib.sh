# shellcheck shell=bash
# Shared set-up of the helper's integration tests (sourced, never run), on top of
# tests/integration/lib.sh:
#   side A ("client"): wirehopd, talking to a private system bus, with its own state directory and
#                      a default route out of the veth towards B (the "physical link");
#   side B ("relay"):  wireguard-go with the tunnel address 198.51.100.2 and, behind it,
#                      203.0.113.7 on its loopback ("an address behind the relay").
# The private bus is a dbus-daemon of our own listening on a socket file (abstract sockets would
# be per namespace); python3-dbusmock's polkitd template answers polkit there. Every process and
# file is removed on exit, whatever happens.
#
# Environment (set by meson): WIREHOPD, WIREHOPCTL, WIREHOP_DATA_DIR.

# shellcheck source=../integration/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../integration" && pwd)/lib.sh"

HP_DEST=io.github.wirehop.Helper1
HP_PATH=/io/github/wirehop/Helper1
HP_BEHIND=203.0.113.7          # on the relay namespace's loopback
HP_OUTSIDE_PORT=8080           # a TCP service on the relay's veth address: outside the tunnel
HP_HELPER_PID=""
HP_BUS_PID=""
HP_POLKIT_PID=""
HP_NETNS_ETC=""

hp_cleanup() {
  local rc=$?
  set +e
  if [ -n "$HP_HELPER_PID" ] && kill -0 "$HP_HELPER_PID" 2>/dev/null; then
    kill -TERM "$HP_HELPER_PID" 2>/dev/null
    wait "$HP_HELPER_PID" 2>/dev/null
  fi
  [ -n "$HP_POLKIT_PID" ] && kill "$HP_POLKIT_PID" 2>/dev/null
  [ -n "$HP_BUS_PID" ] && kill "$HP_BUS_PID" 2>/dev/null
  [ -n "$HP_NETNS_ETC" ] && rm -rf "$HP_NETNS_ETC"
  (exit "$rc")
  wh_cleanup
}

# hp_init: root, tools, namespaces, private bus with polkit allowing everything, the relay up.
hp_init() {
  [ -x "${WIREHOPD:-}" ] || { echo "FAIL: WIREHOPD is not set to the wirehopd binary" >&2; exit 1; }
  [ -x "${WIREHOPCTL:-}" ] || { echo "FAIL: WIREHOPCTL is not set to the wirehopctl binary" >&2; exit 1; }
  [ -f "${WIREHOP_DATA_DIR:-}/io.github.wirehop.Helper1.conf" ] \
    || { echo "FAIL: WIREHOP_DATA_DIR must name the source tree's data/ directory" >&2; exit 1; }
  WIREHOP_DATA_DIR=$(realpath "$WIREHOP_DATA_DIR")
  wh_init gdbus dbus-daemon wireguard-go
  trap hp_cleanup EXIT
  "$WH_PY" -c 'import dbusmock' 2>/dev/null \
    || wh_die "python3-dbusmock is missing for $WH_PY (tools/dev deps installs it)"
  mkdir -p "$WH_TMP/state"
  wh_setup_netns
  # The client's snapshots must not catch the link-local address finishing DAD (its local route
  # appears then): wait until no address of A is tentative.
  wh_must_wait_for 10 "IPv6 DAD to finish in ${WH_NS[A]}" hp_no_tentative
  wh_in A ip route add default via "${WH_OUT4[B]}" dev "${WH_VETH[A]}"
  wh_in A ip -6 route add default via "${WH_OUT6[B]}" dev "${WH_VETH[A]}"
  # The relay's TCP service outside the tunnel, for the kill switch checks.
  wh_in B "$WH_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(64)
while True:
    c, _ = s.accept()
    c.sendall(b"outside\n")
    c.close()
' "$HP_OUTSIDE_PORT" >"$WH_TMP/outside-service.log" 2>&1 &
  WH_BG_PIDS+=("$!")
  hp_start_bus
  hp_start_polkit
  hp_start_relay
}

hp_no_tentative() { [ -z "$(wh_in A ip -6 addr show tentative)" ]; }

hp_start_bus() {
  local conf=$WH_TMP/system-bus.conf
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WH_TMP/system_bus_socket"
  # A permissive bus (tests only) that also parses the helper's installed policy file.
  cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>$DBUS_SYSTEM_BUS_ADDRESS</listen>
  <auth>EXTERNAL</auth>
  <include>$WIREHOP_DATA_DIR/io.github.wirehop.Helper1.conf</include>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
EOF
  dbus-daemon --config-file="$conf" --nofork --nopidfile >"$WH_TMP/dbus-daemon.log" 2>&1 &
  HP_BUS_PID=$!
  WH_BG_PIDS+=("$HP_BUS_PID")
  wh_must_wait_for 10 "the private system bus" gdbus call --system --dest org.freedesktop.DBus \
    --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.GetId
  wh_ok "private system bus at $DBUS_SYSTEM_BUS_ADDRESS"
}

hp_start_polkit() {
  "$WH_PY" -m dbusmock --template polkitd --system >"$WH_TMP/polkitd.log" 2>&1 &
  HP_POLKIT_PID=$!
  WH_BG_PIDS+=("$HP_POLKIT_PID")
  wh_must_wait_for 10 "the polkitd mock" hp_name_has_owner org.freedesktop.PolicyKit1
  hp_polkit_allow io.github.wirehop.connect io.github.wirehop.manage
}

# hp_polkit_allow [ACTION...]: exactly these actions are allowed (none: everything refused).
hp_polkit_allow() {
  local list="" a
  for a in "$@"; do list+="${list:+, }'$a'"; done
  gdbus call --system --dest org.freedesktop.PolicyKit1 --object-path /org/freedesktop/PolicyKit1/Authority \
    --method org.freedesktop.DBus.Mock.SetAllowed "@as [$list]" >/dev/null \
    || wh_die "cannot tell the polkitd mock what to allow"
}

# CMD | hp_contains TEXT: whether TEXT occurs in the input, read to its end (grep -q would stop
# early and, under pipefail, fail the writer with SIGPIPE).
hp_contains() { local input; input=$(cat); [[ $input == *"$1"* ]]; }

hp_name_has_owner() {
  gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$1" | hp_contains true
}

# The relay: wireguard-go on B with the client's key as its peer, and 203.0.113.7 behind it.
hp_start_relay() {
  wh_keys
  wh_start B wireguard-go
  wh_in B wg set "${WH_IF[B]}" private-key "${WH_PRIV[B]}" listen-port "${WH_PORT[B]}" \
    peer "${WH_PUB[A]}" allowed-ips "${WH_TUN4[A]}/32,${WH_TUN6[A]}/128" \
    || wh_die "wg set on the relay failed"
  wh_in B ip addr add "${WH_TUN4[B]}/24" dev "${WH_IF[B]}"
  wh_in B ip addr add "${WH_TUN6[B]}/64" dev "${WH_IF[B]}" nodad
  wh_in B ip link set "${WH_IF[B]}" mtu "$WH_MTU" up
  # On the relay's loopback: a local address that is not on the tunnel (no dummy module here).
  wh_in B ip addr add "$HP_BEHIND/32" dev lo
  wh_ok "relay: wireguard-go on ${WH_IF[B]} listening on ${WH_OUT4[B]}:${WH_PORT[B]}"
}

# hp_conf FILE [extra [Interface] lines]: the client's wg-quick file for this relay.
hp_conf() {
  local file=$1; shift
  {
    echo "[Interface]"
    echo "PrivateKey = $(cat "${WH_PRIV[A]}")"
    echo "Address = ${WH_TUN4[A]}/32, ${WH_TUN6[A]}/128"
    local line
    for line in "$@"; do echo "$line"; done
    echo
    echo "[Peer]"
    echo "PublicKey = ${WH_PUB[B]}"
    echo "Endpoint = ${WH_OUT4[B]}:${WH_PORT[B]}"
    echo "AllowedIPs = 0.0.0.0/0, ::/0"
  } >"$file"
  chmod 600 "$file"
}

# hp_profile [KEY=GVARIANT...]: the same as a Connect profile in GVariant text; each argument
# overrides or adds a top-level key ("mtu=<uint32 1400>"), or removes one ("dns=").
hp_profile() {
  "$WH_PY" - "$(cat "${WH_PRIV[A]}")" "${WH_PUB[B]}" "${WH_OUT4[B]}:${WH_PORT[B]}" \
    "${WH_TUN4[A]}/32" "${WH_TUN6[A]}/128" "$@" <<'EOF'
import sys
priv, pub, endpoint, a4, a6, *overrides = sys.argv[1:]
hop = "{'public-key': <'%s'>, 'endpoint': <'%s'>, 'allowed-ips': <['0.0.0.0/0', '::/0']>}" % (pub, endpoint)
keys = {
    'name': "<'relay'>",
    'private-key': "<'%s'>" % priv,
    'addresses': "<['%s', '%s']>" % (a4, a6),
    'hops': "<[%s]>" % hop,
}
for o in overrides:
    k, _, v = o.partition('=')
    if v:
        keys[k] = v
    else:
        keys.pop(k, None)
print('{' + ', '.join("'%s': %s" % (k, v) for k, v in keys.items()) + '}')
EOF
}

# hp_start_helper [wirehopd options]: wirehopd in the client namespace, on the private bus.
hp_start_helper() {
  echo "# ---- $(date +%T) start wirehopd $* ----" >>"$WH_TMP/wirehopd.log"
  # ip netns exec directly (not wh_in): $! must be wirehopd itself, not a subshell around it.
  ip netns exec "${WH_NS[A]}" env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" G_MESSAGES_DEBUG=all \
    "$WIREHOPD" --state-dir "$WH_TMP/state" --settings "$WH_TMP/settings.ini" "$@" \
    >>"$WH_TMP/wirehopd.log" 2>&1 &
  HP_HELPER_PID=$!
  local deadline=$(( $(date +%s) + 10 ))
  until hp_name_has_owner "$HP_DEST"; do
    kill -0 "$HP_HELPER_PID" 2>/dev/null || wh_die "wirehopd exited during startup"
    [ "$(date +%s)" -lt "$deadline" ] || wh_die "wirehopd did not own $HP_DEST within 10 s"
    sleep 0.05
  done
}

# hp_connect_ms: milliseconds between the helper's last "state: connecting" and the "state: connected"
# after it, from its log (the helper's own view, not the client's process start-up).
hp_connect_ms() {
  awk '/state: connecting/ { split($3, t, "[:.]"); start = ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }
       /state: connected/ && start { split($3, t, "[:.]"); end = ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }
       END { if (end >= start && start) print end - start; else print 999999 }' "$WH_TMP/wirehopd.log"
}

# hp_stop_helper: SIGTERM; it must exit 0 within 5 s (a sanitizer report makes the status non-zero).
hp_stop_helper() {
  local status=0 i
  [ -n "$HP_HELPER_PID" ] || return 0
  kill -TERM "$HP_HELPER_PID" 2>/dev/null
  for i in $(seq 50); do
    kill -0 "$HP_HELPER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$HP_HELPER_PID" 2>/dev/null && { kill -KILL "$HP_HELPER_PID"; wh_die "wirehopd ignored SIGTERM for 5 s"; }
  wait "$HP_HELPER_PID" || status=$?
  HP_HELPER_PID=""
  [ "$status" = 0 ] || wh_die "wirehopd exited with status $status after SIGTERM"
}

# hp_kill_helper: SIGKILL, as a crash.
hp_kill_helper() {
  kill -KILL "$HP_HELPER_PID" 2>/dev/null
  wait "$HP_HELPER_PID" 2>/dev/null || true
  HP_HELPER_PID=""
}

# hp_call METHOD [ARGS...]: call the helper; prints the reply, or the error on stderr (status 1).
hp_call() {
  local method=$1; shift
  gdbus call --system --dest "$HP_DEST" --object-path "$HP_PATH" --method "$HP_DEST.$method" "$@"
}

hp_state() { hp_call GetState | sed -n "s/^('\([a-z-]*\)'.*/\1/p"; }
hp_state_is() { [ "$(hp_state)" = "$1" ]; }

# hp_expect_error NAME METHOD [ARGS...]: the call fails with io.github.wirehop.Error.NAME.
hp_expect_error() {
  local name=$1 out; shift
  if out=$(hp_call "$@" 2>&1); then
    wh_die "$1 succeeded, expected io.github.wirehop.Error.$name: $out"
  fi
  echo "$out" | hp_contains "io.github.wirehop.Error.$name" || wh_die "$1: expected Error.$name, got: $out"
  HP_ERROR=$(echo "$out" | sed 's/.*io\.github\.wirehop\.Error\.[A-Za-z]*: //')
}

# What the helper may change in the client namespace, in one text: compare before and after.
hp_snapshot() {
  {
    echo "== rules"; wh_in A ip -4 rule show; wh_in A ip -6 rule show
    echo "== routes"; wh_in A ip -4 route show table all; wh_in A ip -6 route show table all
    echo "== links"; wh_in A ip -o link show | awk '{print $2}'
    echo "== addresses"; wh_in A ip -o addr show | awk '{print $2, $3, $4}'
    echo "== nftables"; wh_in A nft list ruleset
    echo "== resolv.conf"; wh_in A sha256sum /etc/resolv.conf || true
    echo "== state dir"; ls -A "$WH_TMP/state"
  } 2>&1
}

# hp_same_as FILE WHAT: the current snapshot equals FILE, else the difference fails the test.
hp_same_as() {
  local now=$WH_TMP/snapshot.now
  hp_snapshot >"$now"
  diff -u "$1" "$now" >"$WH_TMP/snapshot.diff" || { sed 's/^/# /' "$WH_TMP/snapshot.diff"; wh_die "$2"; }
}

# TCP to the relay's service outside the tunnel: 0 when it answers within 2 s.
hp_outside_reachable() {
  wh_in A "$WH_PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
sys.exit(0 if s.recv(16) == b"outside\n" else 1)
' "${WH_OUT4[B]}" "$HP_OUTSIDE_PORT" 2>/dev/null
}

hp_pass() {
  hp_stop_helper
  wh_ok "wirehopd shut down cleanly on SIGTERM"
  wh_pass
}
