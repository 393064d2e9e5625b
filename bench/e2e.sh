#!/bin/sh
# End-to-end timings as a user runs ridgeline: one process per command, wall clock, best of N.
# Usage: bench/e2e.sh [path/to/ridgeline] [runs]   (default build/cli/ridgeline, 10 runs)
# The speed targets of issue 14 are checked here and printed; this is a benchmark, not a test.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
rl=${1:-$here/build/cli/ridgeline}
runs=${2:-10}
data=$here/../shared/data
[ -x "$rl" ] || { echo "e2e.sh: $rl is not built (cmake --build build --target ridgeline)" >&2; exit 2; }

now() { date +%s%N; }
# best wall-clock milliseconds of $runs runs of "$@" (output discarded)
best_ms() {
  best=
  i=0
  while [ $i -lt "$runs" ]; do
    t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
    ms=$(( (t1 - t0) / 1000 ))
    if [ -z "$best" ] || [ $ms -lt $best ]; then best=$ms; fi
    i=$((i + 1))
  done
  awk -v us="$best" 'BEGIN { printf "%.1f", us / 1000 }'
}
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms + 0 > 0) printf "%.0f", n / (ms / 1000); else printf "-" }'; }
# best CPU milliseconds (task-clock: user + system of the process) of $runs runs, when perf is
# installed: on a shared, busy machine the wall clock also counts the waits for a core.
cpu_ms() {
  command -v perf >/dev/null 2>&1 || { echo "-"; return; }
  best=
  i=0
  while [ $i -lt "$runs" ]; do
    ms=$(perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "%.1f", $1 }')
    if [ -n "$ms" ] && { [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN { exit !(a < b) }'; }; then best=$ms; fi
    i=$((i + 1))
  done
  echo "${best:--}"
}

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
t=$(best_ms "$rl" predict --hardware m4-max-40c --memory 64 --model llama-3.1-8b --quant q4_k_m --runtime llama.cpp-metal --prompt 8192 --gen 512 --json)
echo "predict (one process, --json):          $t ms   (target < 10 ms)"
t=$(best_ms "$rl" predict --hardware "M4 Max" --model "Llama 3.1 8B" --prompt 8192 --gen 512)
echo "predict (names as written, table):      $t ms"
t=$(best_ms "$rl" buy --model llama-3.1-8b)
echo "buy (every priced configuration):       $t ms   (target < 20 ms)"

prompts=$(seq -s, 1024 1024 131072)
rows=$((41 * 3 * 128))
for fmt in --csv --json; do
  t=$(best_ms "$rl" sweep --hardware all --model llama-3.1-8b,qwen3-8b,gemma-3-12b --prompt "$prompts" --gen 128 $fmt)
  c=$(cpu_ms "$rl" sweep --hardware all --model llama-3.1-8b,qwen3-8b,gemma-3-12b --prompt "$prompts" --gen 128 $fmt)
  echo "sweep $fmt (all hardware x 3 models x 128 contexts = $rows rows): $t ms = $(rate $rows "$t") rows/s wall; CPU $c ms = $(rate $rows "$c") rows/s   (target >= 300000)"
done

if [ -d "$data" ]; then
  nrows=$("$rl" validate "$data"/* --json 2>/dev/null | grep -o '"quantity"' | wc -l || true)
  truns=$runs; runs=3
  t=$(best_ms "$rl" validate "$data"/*)
  c=$(cpu_ms "$rl" validate "$data"/*)
  runs=$truns
  vrows=$("$rl" validate "$data"/* --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))' 2>/dev/null || echo "$nrows")
  echo "validate ../shared/data ($vrows rows):  $t ms = $(rate "$vrows" "$t") rows/s wall; CPU $c ms = $(rate "$vrows" "$c") rows/s   (target >= 50000)"
else
  echo "validate: ../shared/data not found; skipped"
fi
