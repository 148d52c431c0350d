#!/usr/bin/env bash
# DAITA and multihop from the window: two servers imported as a folder, DAITA on, entry and exit
# picked on the Multihop page; Connect reaches the helper (seen by a bus monitor) with both hops,
# entry first, and daita true; the helper answers NotSupported and the window shows its message.
# Then multihop off: DAITA alone is refused the same way. No private key in any file under HOME.
set -euo pipefail
# shellcheck source=gui-lib.sh
source "$(dirname "$0")/gui-lib.sh"
gui_init

# alpha is the relay; beta another server (its own peer key and endpoint; never reached).
mkdir -p "$WH_TMP/import"
hp_conf "$WH_TMP/import/alpha.conf"
beta_peer=$(wg genkey | wg pubkey)
{
  echo "[Interface]"
  echo "PrivateKey = $(wg genkey)"
  echo "Address = 10.99.0.2/32"
  echo
  echo "[Peer]"
  echo "PublicKey = $beta_peer"
  echo "Endpoint = 192.0.2.3:51003"
  echo "AllowedIPs = 0.0.0.0/0"
} >"$WH_TMP/import/beta.conf"
chmod 600 "$WH_TMP/import/beta.conf"

gui_start_app
gui_py multihop.py "$WH_TMP/import" "${WH_PUB[B]}" "$beta_peer"
[ "$(hp_state)" = disconnected ] || wh_die "the helper is not disconnected after the refusals: $(hp_call GetState)"
wh_ok "the helper stayed disconnected"
gui_pass
