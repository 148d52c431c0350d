#!/usr/bin/env bash
# (d) `wg show` agrees with what was sent. Before any traffic: no handshake, transfer 0 0. Then
# phases of pings of known sizes (IPv4 and IPv6, from a 28-byte to a full-MTU packet). For each
# phase, with N packets of L bytes each way, every counter delta (A tx, B rx, B tx, A rx) must lie
# in [N*L, N*(L+47) + 1024]: at least the plaintext, at most plaintext plus the WireGuard header and
# tag (32) and padding to 16 (<= 15) per packet, plus room for handshake and keepalive messages.
# Stricter, as the kernel and wireguard-go count: each delta is N data messages of exactly
# 32 + L padded to 16 (never past the MTU) bytes, plus only whole handshake/keepalive messages
# (0..1024 bytes). The two ends of each direction must agree within 512 bytes. The handshake time each side reports
# lies between the moment before the first packet and the moment after, and the two agree.
#   IMPL_A=wireguard-go IMPL_B=wireguard-go tests/integration/counters.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
IMPL_A=${IMPL_A:-wireguard-go} IMPL_B=${IMPL_B:-wireguard-go}
wh_init
wh_log "A=$IMPL_A B=$IMPL_B"
wh_setup_netns
wh_up "$IMPL_A" "$IMPL_B"

for side in A B; do
  hs=$(wh_handshake "$side"); tr=$(wh_show "$side" transfer)
  [ "$hs" = 0 ] || wh_die "$side reports handshake time '$hs' before any traffic"
  [ "$tr" = "0	0" ] || [ "$tr" = "0 0" ] || wh_die "$side reports transfer '$tr' before any traffic"
done
wh_ok "before traffic: latest handshake 0 and transfer 0/0 on both sides"

declare -A before after
snapshot() { # snapshot ARRAY-NAME
  local -n snap=$1
  snap[A_rx]=$(wh_rx A); snap[A_tx]=$(wh_tx A); snap[B_rx]=$(wh_rx B); snap[B_tx]=$(wh_tx B)
}

check_range() { # check_range WHAT VALUE LOW HIGH
  [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || wh_die "$1 = $2 bytes, outside [$3, $4]"
}

# phase DESCRIPTION DEST-ADDR COUNT PING-SIZE IP-HEADER+ICMP-HEADER [ping options]
phase() {
  local desc=$1 dst=$2 n=$3 size=$4 hdr=$5; shift 5
  local l=$((size + hdr)) low high k padded exact
  padded=$(( (l + 15) / 16 * 16 )); [ "$padded" -le "$WH_MTU" ] || padded=$WH_MTU
  exact=$((n * (32 + padded)))
  snapshot before
  wh_ping_exact A "$dst" "$n" -i 0.01 -W 2 -s "$size" "$@"
  snapshot after
  low=$((n * l)); high=$((n * (l + 47) + 1024))
  for k in A_tx B_rx B_tx A_rx; do
    check_range "$desc: $k delta" $((after[$k] - before[$k])) "$low" "$high"
  done
  for k in A_tx B_rx B_tx A_rx; do
    check_range "$desc: $k delta against $n data messages of 32 + $padded bytes" \
      $((after[$k] - before[$k])) "$exact" $((exact + 1024))
  done
  local d1=$(( (after[A_tx] - before[A_tx]) - (after[B_rx] - before[B_rx]) ))
  local d2=$(( (after[B_tx] - before[B_tx]) - (after[A_rx] - before[A_rx]) ))
  [ "${d1#-}" -le 512 ] || wh_die "$desc: A sent $((after[A_tx] - before[A_tx])) but B received $((after[B_rx] - before[B_rx]))"
  [ "${d2#-}" -le 512 ] || wh_die "$desc: B sent $((after[B_tx] - before[B_tx])) but A received $((after[A_rx] - before[A_rx]))"
  wh_ok "$desc: $n x $l bytes each way; A tx +$((after[A_tx] - before[A_tx])), B rx +$((after[B_rx] - before[B_rx])), B tx +$((after[B_tx] - before[B_tx])), A rx +$((after[A_rx] - before[A_rx])) within [$low, $high], data messages 32 + $padded bytes"
}

t_before=$(date +%s)
phase "IPv4 1028-byte packets (first, with the handshake)" "${WH_TUN4[B]}" 50 1000 28
t_after=$(date +%s)
ha=$(wh_handshake A); hb=$(wh_handshake B)
check_range "A's latest handshake" "$ha" $((t_before - 1)) $((t_after + 1))
check_range "B's latest handshake" "$hb" $((t_before - 1)) $((t_after + 1))
d=$((ha - hb))
[ "${d#-}" -le 1 ] || wh_die "handshake times disagree: A $ha, B $hb"
wh_ok "latest handshake A $ha, B $hb: within [$((t_before - 1)), $((t_after + 1))] and in agreement"

phase "IPv4 28-byte packets" "${WH_TUN4[B]}" 100 0 28
phase "IPv4 1420-byte packets (MTU)" "${WH_TUN4[B]}" 50 1392 28 -M do
phase "IPv6 51-byte packets" "${WH_TUN6[B]}" 100 3 48
phase "IPv6 1420-byte packets (MTU)" "${WH_TUN6[B]}" 50 1372 48 -M do

# No new handshake was needed for all that: the time stays put.
[ "$(wh_handshake A)" = "$ha" ] || wh_die "A's handshake time moved without a reason: $ha -> $(wh_handshake A)"
wh_ok "handshake time unchanged over the later phases (one session)"
wh_check_alive A B
wh_pass
