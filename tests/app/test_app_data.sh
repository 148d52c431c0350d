#!/usr/bin/env bash
# The app's installed data as distributions check it: the desktop file (after translation merge),
# the metainfo (offline), the settings schema (strict), the icons the desktop and tray look up.
# Usage: test_app_data.sh DESKTOP_FILE METAINFO_FILE SCHEMA_FILE ICON_DIR
set -uo pipefail
desktop=$1 metainfo=$2 schema=$3 icons=$4
n=0 failed=0
check() {
  local what=$1; shift
  local out
  n=$((n + 1))
  if out=$("$@" 2>&1); then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    echo "$out" | sed 's/^/# /'
    failed=1
  fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check "desktop-file-validate $(basename "$desktop")" desktop-file-validate "$desktop"
check "the desktop file names the app id as its icon" grep -qx 'Icon=io.github.wirehop.Wirehop' "$desktop"
check "appstreamcli validate --no-net $(basename "$metainfo")" appstreamcli validate --no-net "$metainfo"
cp "$schema" "$tmp/"
check "glib-compile-schemas --strict --dry-run" glib-compile-schemas --strict --dry-run "$tmp"
for icon in apps/io.github.wirehop.Wirehop.svg; do
  check "icon scalable/$icon" test -s "$icons/scalable/$icon"
done
for state in "" -connected -disconnected -connecting -error; do
  icon=io.github.wirehop.Wirehop$state-symbolic.svg
  check "icon symbolic/apps/$icon is well-formed SVG" xmllint --noout "$icons/symbolic/apps/$icon"
done
echo "1..$n"
exit $failed
