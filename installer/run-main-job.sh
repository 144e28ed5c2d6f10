#!/usr/bin/env bash
# The main job on the bundled default model and demo data (called by `installer/setup.sh run`):
# opens the studio when it was built and a display is available; otherwise runs the headless
# tour: model info, inspection of one sentence under the three masks, a short LoRA fine-tune
# on the demo genre data, and its evaluation.
set -euo pipefail
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buildDir="${1:-${repoDir}/build}"
cli="${buildDir}/app/fsllm"
studio="${buildDir}/app/fsllm-studio"
demo="${repoDir}/resources/demo"
work="${buildDir}/main-job"
mkdir -p "${work}"

model="${repoDir}/resources/models/fsllm-default"
if [[ ! -f "${model}/config.json" ]]; then
    model="${work}/tiny-model"
    [[ -f "${model}/config.json" ]] || "${cli}" init-tiny --out "${model}" --layers 2 --hidden 64
fi

if [[ -x "${studio}" && ( -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ) ]]; then
    exec "${studio}" --model "${model}" --train "${demo}/brown_genre_train.tsv" \
        --dev "${demo}/brown_genre_dev.tsv"
fi

echo "== no display (or no studio build): the headless tour on ${model}"
"${cli}" info --model "${model}"
for mask in causal decay bidirectional; do
    "${cli}" inspect --model "${model}" --text "The jury praised the city for the election." \
        --mask "${mask}" --json "${work}/inspect-${mask}.json"
done
run="${work}/genre-run-$(date +%Y%m%d-%H%M%S)"
"${cli}" train --model "${model}" --task seq --train "${demo}/brown_genre_train.tsv" \
    --dev "${demo}/brown_genre_dev.tsv" --mask decay --lambda 0.5 --epochs 2 --out "${run}"
"${cli}" eval --run "${run}" --data "${demo}/brown_genre_dev.tsv" --json "${run}/eval.json"
echo "== done: run folder ${run}; attention maps in ${work}/inspect-*.json"
