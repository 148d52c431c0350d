# shellcheck shell=bash
# Shared set-up of the GUI tests (sourced, never run), on top of tests/helper/helper-lib.sh: the
# helper's world (namespaces, a private system bus, the polkit mock, a wireguard-go relay, wirehopd
# in the client namespace) plus a desktop session for the app, which runs in the root namespace
# and reaches wirehopd only through the system bus's socket file:
#   Xvfb on a free display, a session bus of our own, dconf with accessibility switched on,
#   gnome-keyring (secrets, unlocked), the AT-SPI bus, and HOME/XDG_* in the scratch directory.
# Every process of the session carries WIREHOP_GUI_RUN=<scratch dir> in its environment, also
# those the session bus activates, so gui_cleanup finds and ends exactly them, whatever happened.
#
# Environment (set by meson, tests/gui/meson.build):
#   WIREHOPD, WIREHOPCTL, WIREHOP_DATA_DIR   as for the helper tests
#   WIREHOP_APP           the wirehop binary
#   WIREHOP_SCHEMA_DIR    the build's data/ directory, with gschemas.compiled
#   WIREHOP_LOCALE_DIR    the build's po/ directory (LANG/LC_MESSAGES/wirehop.mo)
#   WIREHOP_GUI_SHOTS     where screenshots and the app's log are kept (default: $WH_TMP/shots)

# shellcheck source=../helper/helper-lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../helper" && pwd)/helper-lib.sh"

GUI_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUI_MARK=""          # WIREHOP_GUI_RUN's value for this run
GUI_APP_PID=""
GUI_DISPLAY=""
GUI_SHOTS=""

# gui_run CMD...: CMD as a process of this run's session (marked, with the session's environment).
gui_run() { env "WIREHOP_GUI_RUN=$GUI_MARK" "$@"; }

# The PIDs of every process carrying this run's mark.
gui_marked_pids() {
  [ -n "$GUI_MARK" ] || return 0
  grep -lzxF "WIREHOP_GUI_RUN=$GUI_MARK" /proc/[0-9]*/environ 2>/dev/null \
    | sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p' | grep -vx "$$" || true
}

gui_cleanup() {
  local rc=$? pids
  set +e
  pids=$(gui_marked_pids)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null
    for _ in $(seq 30); do
      pids=$(gui_marked_pids)
      [ -z "$pids" ] && break
      sleep 0.1
    done
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  fi
  (exit "$rc")
  hp_cleanup
}

# gui_init [tools...]: the helper's world with wirehopd running, then the session.
gui_init() {
  [ -x "${WIREHOP_APP:-}" ] || { echo "FAIL: WIREHOP_APP is not set to the wirehop binary" >&2; exit 1; }
  [ -f "${WIREHOP_SCHEMA_DIR:-}/gschemas.compiled" ] \
    || { echo "FAIL: WIREHOP_SCHEMA_DIR has no gschemas.compiled" >&2; exit 1; }
  hp_init Xvfb dbus-daemon gnome-keyring-daemon gsettings import "$@"
  trap gui_cleanup EXIT
  "$WH_PY" -c 'import dogtail, pyatspi' 2>/dev/null \
    || wh_die "python3-dogtail is missing for $WH_PY (tools/dev deps installs it)"
  [ -x /usr/libexec/at-spi-bus-launcher ] || wh_die "at-spi2-core is missing (tools/dev deps installs it)"
  GUI_SHOTS=${WIREHOP_GUI_SHOTS:-$WH_TMP/shots}/$WH_TEST_NAME
  mkdir -p "$GUI_SHOTS"
  rm -f "$GUI_SHOTS"/*.png "$GUI_SHOTS"/*.log
  hp_start_helper
  wh_ok "wirehopd serves $HP_DEST in ${WH_NS[A]}"
  gui_start_session
}

# GUI_USER_DISPLAY=1 (the demo): draw on the display of the environment (DISPLAY, or
# WAYLAND_DISPLAY) instead of a private Xvfb; everything else stays private to the run.
gui_start_session() {
  GUI_MARK=$WH_TMP
  if [ "${GUI_USER_DISPLAY:-0}" = 1 ]; then
    gui_keep_user_display
  fi
  export HOME=$WH_TMP/home
  export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
  export XDG_RUNTIME_DIR=$WH_TMP/runtime
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
  mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
  unset NO_AT_BRIDGE GTK_A11Y SESSION_MANAGER
  export GSETTINGS_SCHEMA_DIR=$WIREHOP_SCHEMA_DIR GSETTINGS_BACKEND=dconf
  if [ "${GUI_USER_DISPLAY:-0}" != 1 ]; then
    unset WAYLAND_DISPLAY
    export GSK_RENDERER=cairo GDK_BACKEND=x11
  fi
  export LANGUAGE=${LANGUAGE:-en} LANG=C.UTF-8 LC_ALL=
  export GUI_SHOTS

  if [ "${GUI_USER_DISPLAY:-0}" = 1 ]; then
    wh_ok "the app will use your display (${WAYLAND_DISPLAY:-$DISPLAY})"
  else
    gui_start_xvfb
  fi
  gui_start_session_bus
  gui_run gsettings set org.gnome.desktop.interface toolkit-accessibility true \
    || wh_die "gsettings could not switch accessibility on"
  [ "$(gsettings get org.gnome.desktop.interface toolkit-accessibility)" = true ] \
    || wh_die "toolkit-accessibility did not stick (is dconf-service there?)"
  # The keyring, unlocked with a password on its stdin, holding the session's secrets only.
  printf pass | gui_run gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$WH_TMP/keyring.log" 2>&1 &
  wh_must_wait_for 30 "gnome-keyring-daemon on the session bus" gui_session_has org.freedesktop.secrets
  gui_run /usr/libexec/at-spi-bus-launcher --launch-immediately >"$WH_TMP/at-spi.log" 2>&1 &
  wh_must_wait_for 30 "the AT-SPI bus" gui_session_has org.a11y.Bus
  wh_ok "session: display ${WAYLAND_DISPLAY:-$DISPLAY}, session bus, dconf (accessibility on), keyring, AT-SPI bus"
}

# The user's display as root with a HOME and XDG_RUNTIME_DIR of our own: X needs the user's
# cookie, Wayland the socket's full path (sudo users: SUDO_USER's).
gui_keep_user_display() {
  local user_home=$HOME user_runtime=${XDG_RUNTIME_DIR:-}
  if [ -n "${SUDO_USER:-}" ]; then
    user_home=$(getent passwd "$SUDO_USER" | cut -d: -f6)
    user_runtime=/run/user/$(id -u "$SUDO_USER")
  fi
  if [ -n "${WAYLAND_DISPLAY:-}" ] && [[ $WAYLAND_DISPLAY != /* ]]; then
    export WAYLAND_DISPLAY=$user_runtime/$WAYLAND_DISPLAY
  fi
  if [ -n "${DISPLAY:-}" ] && [ -z "${XAUTHORITY:-}" ] && [ -f "$user_home/.Xauthority" ]; then
    export XAUTHORITY=$user_home/.Xauthority
  fi
}

gui_start_xvfb() {
  local fdfile=$WH_TMP/xvfb.display
  # -displayfd: Xvfb picks a free display number itself and writes it once it accepts clients.
  gui_run Xvfb -displayfd 3 -nolisten tcp -screen 0 1280x800x24 3>"$fdfile" >"$WH_TMP/xvfb.log" 2>&1 &
  wh_must_wait_for 20 "Xvfb to pick a display" test -s "$fdfile"
  GUI_DISPLAY=:$(head -n 1 "$fdfile")
  export DISPLAY=$GUI_DISPLAY
}

gui_start_session_bus() {
  local conf=$WH_TMP/session-bus.conf
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$WH_TMP/session_bus_socket"
  # A permissive session bus that activates the installed services (dconf, the AT-SPI registry)
  # and lets a test watch every message (dbus-monitor needs eavesdropping).
  cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>$DBUS_SESSION_BUS_ADDRESS</listen>
  <auth>EXTERNAL</auth>
  <standard_session_servicedirs/>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  gui_run dbus-daemon --config-file="$conf" --nofork --nopidfile >"$WH_TMP/session-bus.log" 2>&1 &
  wh_must_wait_for 10 "the session bus" gdbus call --session --dest org.freedesktop.DBus \
    --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.GetId
}

gui_session_has() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$1" | hp_contains true
}

# gui_start_app [wirehop options]: the app as root in the root namespace, on the session above,
# with the build's translations (WIREHOP_LOCALEDIR, which the app reads in place of the installed
# locale directory).
gui_start_app() {
  echo "# ---- $(date +%T) start wirehop $* (LANGUAGE=$LANGUAGE) ----" >>"$WH_TMP/app.log"
  # Leaks are GTK's business at exit; every other sanitizer report still aborts the app.
  gui_run env ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
    WIREHOP_LOCALEDIR="${WIREHOP_LOCALE_DIR:-}" "$WIREHOP_APP" "$@" >>"$WH_TMP/app.log" 2>&1 &
  GUI_APP_PID=$!
}

gui_app_alive() { [ -n "$GUI_APP_PID" ] && kill -0 "$GUI_APP_PID" 2>/dev/null; }

# gui_py SCRIPT [args]: a dogtail scenario (tests/gui/*.py on guitest.py). Its TAP lines continue
# this script's numbering; it reports its last number in $WH_TMP/tap.n.
gui_py() {
  local script=$1 status=0; shift
  # Whatever else it prints (dogtail's warnings, Python's traceback) becomes TAP comments.
  GUI_TAP_N=$WH_TAP_N GUI_TAP_FILE=$WH_TMP/tap.n GUI_APP_PID=$GUI_APP_PID \
    PYTHONPATH=$GUI_LIB_DIR gui_run "$WH_PY" -u "$GUI_LIB_DIR/$script" "$@" 2>&1 \
    | sed -u '/^\(ok \|not ok \|# \)/!s/^/# /' || status=$?
  [ -s "$WH_TMP/tap.n" ] && WH_TAP_N=$(cat "$WH_TMP/tap.n")
  if [ "$status" != 0 ]; then
    echo "# $script exited with status $status"
    WH_DONE=1
    cp "$WH_TMP/app.log" "$GUI_SHOTS/app.log" 2>/dev/null
    wh_dump_logs
    echo "1..$WH_TAP_N"
    echo "# FAIL: $WH_TEST_NAME ($(wh_elapsed) s): $script failed"
    exit 1
  fi
}

# gui_pass: the app must still be running (no crash, no sanitizer abort); then the helper's checks.
gui_pass() {
  if [ -n "$GUI_APP_PID" ]; then
    gui_app_alive || wh_die "the app exited before the end of the test"
    kill -TERM "$GUI_APP_PID"
  fi
  cp "$WH_TMP/app.log" "$GUI_SHOTS/app.log" 2>/dev/null
  hp_pass
}
