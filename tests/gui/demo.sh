#!/usr/bin/env bash
# The app half of `tools/dev demo` (part 4): wirehopd and a wireguard-go relay as in part 3, and the
# app connected to that relay. On your display when DISPLAY or WAYLAND_DISPLAY is set (close the
# window to end the demo), else under Xvfb with a screenshot whose path is printed. The server is
# put where an import puts it (servers.ini, the private key in a keyring of the demo's own); the
# app's own action app.connect connects. Root only; the root namespace is untouched.
#   WIREHOPD, WIREHOPCTL, WIREHOP_DATA_DIR, WIREHOP_APP, WIREHOP_SCHEMA_DIR, WIREHOP_LOCALE_DIR,
#   WIREHOP_GUI_SHOTS   as for the GUI tests (tools/dev sets them)
set -euo pipefail
# shellcheck source=gui-lib.sh
source "$(dirname "$0")/gui-lib.sh"
export WH_TEST_NAME=gui-demo
export WH_LOG_LEVEL=${WH_LOG_LEVEL:-error}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  export GUI_USER_DISPLAY=1
fi

say() { printf '\n==> %s\n' "$*"; }
say "A private system bus, polkit (mock), a relay and wirehopd, then a desktop session for the app"
gui_init

# The relay as a server of the app's: servers.ini as the store writes it, the key in the keyring.
server_id=$(cat /proc/sys/kernel/random/uuid)
mkdir -p "$XDG_CONFIG_HOME/wirehop"
chmod 700 "$XDG_CONFIG_HOME/wirehop"
cat >"$XDG_CONFIG_HOME/wirehop/servers.ini" <<INI
[$server_id]
Name=Local relay
Endpoint=${WH_OUT4[B]}:${WH_PORT[B]}
PublicKey=${WH_PUB[B]}
Address=${WH_TUN4[A]}/32;${WH_TUN6[A]}/128;
AllowedIPs=0.0.0.0/0;::/0;
HasPresharedKey=false
INI
chmod 600 "$XDG_CONFIG_HOME/wirehop/servers.ini"
# Secret Service over D-Bus (what libsecret does for the app): a plain session, one item with the
# app's schema and attributes, in the default collection of the demo's keyring.
"$WH_PY" - "$server_id" "${WH_PRIV[A]}" <<'PY' || wh_die "the key could not be stored in the keyring"
import sys
from gi.repository import Gio, GLib
server_id, key = sys.argv[1], open(sys.argv[2]).read().strip()
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
def call(path, interface, method, args, reply):
    return bus.call_sync("org.freedesktop.secrets", path, "org.freedesktop.Secret." + interface, method, args,
                         GLib.VariantType(reply), Gio.DBusCallFlags.NONE, 10000, None).unpack()
_, session = call("/org/freedesktop/secrets", "Service", "OpenSession",
                  GLib.Variant("(sv)", ("plain", GLib.Variant("s", ""))), "(vo)")
attributes = {"xdg:schema": "io.github.wirehop.Key", "server-id": server_id, "kind": "private"}
properties = {"org.freedesktop.Secret.Item.Label": GLib.Variant("s", "Wirehop private key for Local relay"),
              "org.freedesktop.Secret.Item.Attributes": GLib.Variant("a{ss}", attributes)}
call("/org/freedesktop/secrets/aliases/default", "Collection", "CreateItem",
     GLib.Variant("(a{sv}(oayays)b)", (properties, (session, b"", key.encode(), "text/plain"), True)), "(oo)")
PY
wh_ok "the relay is the app's server \"Local relay\" (servers.ini; its key in the demo's keyring)"

say "wirehop, connected through its own action app.connect"
gui_start_app
wh_must_wait_for 60 "the app on the session bus" gui_session_has io.github.wirehop.Wirehop
gdbus call --session --dest io.github.wirehop.Wirehop --object-path /io/github/wirehop/Wirehop \
  --method org.gtk.Actions.Activate connect "[]" "{}" >/dev/null
wh_must_wait_for 30 "wirehopd connected" hp_state_is connected
"$WIREHOPCTL" status
wh_in A ping -n -c 3 -i 0.2 "$HP_BEHIND"

if [ "${GUI_USER_DISPLAY:-0}" = 1 ]; then
  say "The app is open on your display, connected to the local relay; close its window to end the demo"
  wait "$GUI_APP_PID" || true
  GUI_APP_PID=""
else
  gui_py demo.py
  echo
  echo "Screenshot of the app, connected: $GUI_SHOTS/connected.png"
fi
echo
echo "Demo done: namespaces, buses and processes are removed on exit."
gui_pass
