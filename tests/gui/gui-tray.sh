#!/usr/bin/env bash
# The tray: a StatusNotifierWatcher (dbusmock, with a host) on the session bus before the app
# starts; the app registers its item; the dbusmenu's Connect (called over D-Bus as a panel does)
# connects through the helper; closing the window keeps the app running; Show Wirehop brings the
# window back; Disconnect and Quit work, and the app exits with status 0. Connecting and
# disconnecting each raise a desktop notification (a dbusmock notification daemon records them).
set -euo pipefail
# shellcheck source=gui-lib.sh
source "$(dirname "$0")/gui-lib.sh"
gui_init

watcher=org.kde.StatusNotifierWatcher
gui_run "$WH_PY" -m dbusmock "$watcher" /StatusNotifierWatcher "$watcher" >"$WH_TMP/watcher.log" 2>&1 &
wh_must_wait_for 20 "the StatusNotifierWatcher mock" gui_session_has "$watcher"
gdbus call --session --dest "$watcher" --object-path /StatusNotifierWatcher \
  --method org.freedesktop.DBus.Mock.AddMethod "" RegisterStatusNotifierItem s "" "" >/dev/null
gdbus call --session --dest "$watcher" --object-path /StatusNotifierWatcher \
  --method org.freedesktop.DBus.Mock.AddProperty "$watcher" IsStatusNotifierHostRegistered "<true>" >/dev/null
wh_ok "a StatusNotifierWatcher (dbusmock) with a host on the session bus"
# Desktop notifications land in dbusmock's notification daemon (GLib's freedesktop backend).
gui_run "$WH_PY" -m dbusmock --template notification_daemon >"$WH_TMP/notifications.log" 2>&1 &
wh_must_wait_for 20 "the notification daemon mock" gui_session_has org.freedesktop.Notifications

mkdir -p "$WH_TMP/import"
hp_conf "$WH_TMP/import/relay.conf"
gui_start_app
gui_py tray.py "$WH_TMP/import/relay.conf"

# tray.py ended with the menu's Quit: the app must be gone, cleanly.
status=0
wait "$GUI_APP_PID" || status=$?
GUI_APP_PID=""
[ "$status" = 0 ] || wh_die "the app exited with status $status after Quit (sanitizer report in app.log?)"
wh_ok "the app exited with status 0 after the menu's Quit"
gui_pass
