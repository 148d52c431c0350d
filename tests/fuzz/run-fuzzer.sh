#!/usr/bin/env bash
# Runs one libFuzzer target for WIREHOP_FUZZ_SECONDS (default 30) over a scratch copy of its committed
# seeds; fails on any crash, leak, timeout or out-of-memory and says where the reproducer is.
#   run-fuzzer.sh FUZZER-EXECUTABLE NAME
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 FUZZER-EXECUTABLE NAME" >&2
  exit 2
fi
fuzzer=$(realpath "$1")
name=$2
seconds=${WIREHOP_FUZZ_SECONDS:-30}
seeds=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/corpus/$name

# New inputs go to a scratch corpus, never into the source tree; reproducers go beside the fuzzer in
# the build directory, one fresh directory per run so an old crash is never reported as new.
corpus=$(mktemp -d "${TMPDIR:-/tmp}/wirehop-fuzz-$name.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
mkdir -p "$(dirname "$fuzzer")/fuzz-artifacts"
artifacts=$(mktemp -d "$(dirname "$fuzzer")/fuzz-artifacts/$name.XXXXXX")
if [ -d "$seeds" ]; then
  cp -- "$seeds"/* "$corpus"/ 2>/dev/null || true
else
  echo "run-fuzzer.sh: no seeds in $seeds, starting from nothing" >&2
fi

# Later options win: undefined behaviour and leaks must fail the run whatever the caller set.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"

status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$corpus" || status=$?

shopt -s nullglob
found=("$artifacts"/*)
if [ "$status" -eq 0 ] && [ ${#found[@]} -eq 0 ]; then
  rmdir "$artifacts"
  exit 0
fi
echo "run-fuzzer.sh: fuzz_$name failed (exit status $status)" >&2
for artifact in "${found[@]}"; do
  echo "  reproducer: $artifact" >&2
  echo "    hex: $(od -An -v -tx1 "$artifact" | tr -d ' \n' | head -c 600)" >&2
  echo "    rerun: $fuzzer $artifact" >&2
done
[ "$status" -ne 0 ] || status=1
exit "$status"
