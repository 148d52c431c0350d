#!/usr/bin/env bash
# The app end to end: an empty server list, a wg-quick file imported through GTK's file chooser,
# the connect switch → "Connected" with wirehopctl agreeing, the switch again → "Disconnected";
# wirehopctl connect/disconnect from outside followed by the window; the preferences window.
set -euo pipefail
# shellcheck source=gui-lib.sh
source "$(dirname "$0")/gui-lib.sh"
gui_init

mkdir -p "$WH_TMP/import"
hp_conf "$WH_TMP/import/relay.conf"
gui_start_app
gui_py connect.py "$WH_TMP/import/relay.conf" "${WH_PRIV[A]}"
gui_pass
