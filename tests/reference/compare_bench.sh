#!/usr/bin/env bash
# Runs `fsllm bench` and the eager PyTorch reference (eager_lora_bench.py) on the same shape,
# alternately, FSLLM_BENCH_REPEATS times (default 3), and prints each pair's training tokens/s
# and the median of their ratios: on a noisy machine only pairs measured side by side compare.
# Usage: tests/reference/compare_bench.sh [BUILD_DIR]
#   shapes: 3 x D=96, batch 16 x 25; the default model's 4 x D=192, batch 16 x 32;
#   4 x D=512, batch 16 x 32. FSLLM_BENCH_THREADS sets the threads (default: all cores).
set -euo pipefail
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cli="${1:-${repoDir}/build}/app/fsllm"
threads="${FSLLM_BENCH_THREADS:-$(nproc)}"
repeats="${FSLLM_BENCH_REPEATS:-3}"
compare() {
    local args=("$@") ratios=() i engine eager
    echo "== ${args[*]} --threads ${threads}"
    for ((i = 1; i <= repeats; i++)); do
        engine=$("${cli}" bench "${args[@]}" --threads "${threads}" 2>/dev/null |
            awk '/^train step/ {print $3}')
        eager=$(/usr/bin/python3 "${repoDir}/tests/reference/eager_lora_bench.py" "${args[@]}" \
            --threads "${threads}" | sed -E 's/.*: ([0-9.]+) tokens\/s.*/\1/')
        ratios+=("$(awk -v a="${engine}" -v b="${eager}" 'BEGIN {printf "%.2f", a / b}')")
        echo "   fsllm ${engine} tokens/s   eager PyTorch ${eager} tokens/s   ratio ${ratios[-1]}"
    done
    printf '%s\n' "${ratios[@]}" | sort -n |
        awk '{r[NR] = $1} END {print "   median ratio fsllm / eager: " r[int((NR + 1) / 2)]}'
}
compare --layers 3 --hidden 96 --heads 6 --kv-heads 2 --batch 16 --seq-len 25 --steps 20
compare --layers 4 --hidden 192 --heads 6 --kv-heads 2 --intermediate 512 --batch 16 --seq-len 32 \
    --steps 20
compare --layers 4 --hidden 512 --heads 8 --kv-heads 4 --batch 16 --seq-len 32 --steps 5
