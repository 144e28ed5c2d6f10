#!/usr/bin/env bash
# Runs `fsllm bench` and the eager PyTorch reference (eager_lora_bench.py) on the same shape, one
# after the other in the same session, and prints both: the ratio of their tokens/s is the figure
# whose target docs/design.md §7 gives. Usage: tests/reference/compare_bench.sh [BUILD_DIR] [shape...]
#   default shapes: 3 x D=96, batch 16 x 25; 4 x D=512, batch 16 x 32
set -euo pipefail
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cli="${1:-${repoDir}/build}/app/fsllm"
threads="${FSLLM_BENCH_THREADS:-$(nproc)}"
run() {
    local args=("$@")
    echo "== fsllm bench ${args[*]}"
    "${cli}" bench "${args[@]}" --threads "${threads}" 2>/dev/null
    echo "== eager PyTorch"
    /usr/bin/python3 "${repoDir}/tests/reference/eager_lora_bench.py" "${args[@]}" --threads "${threads}"
}
run --layers 3 --hidden 96 --heads 6 --kv-heads 2 --batch 16 --seq-len 25 --steps 20
run --layers 4 --hidden 512 --heads 8 --kv-heads 4 --batch 16 --seq-len 32 --steps 5
