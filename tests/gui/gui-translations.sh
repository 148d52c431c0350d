#!/usr/bin/env bash
# The app in Russian (LANGUAGE=ru, the build's translations): the state, the group names and the
# page titles are po/ru.po's, read from the same .mo; a connection made by wirehopctl is shown in
# Russian too (the russian screenshot).
set -euo pipefail
# shellcheck source=gui-lib.sh
source "$(dirname "$0")/gui-lib.sh"
export LANGUAGE=ru
gui_init

mkdir -p "$WH_TMP/import"
hp_conf "$WH_TMP/import/relay.conf"
gui_start_app
gui_py translations.py ru "$WH_TMP/import/relay.conf"
gui_pass
