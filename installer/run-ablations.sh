#!/usr/bin/env bash
# Reproduces the paper's ablations with a checkpoint on the real data sets (docs/design.md §2, issue 5):
# w/o FS (causal mask, last-token pooling), FS with the bidirectional mask and with decay masks,
# and w/o LS (zero-shot verbalizers). Model selection on dev (the test splits are held back).
#
#   installer/run-ablations.sh MODEL_DIR DATASETS_DIR OUT_DIR [BUILD_DIR]
#
# DATASETS_DIR is the folder of the paper's data (../shared/datasets here). Each run gets its own
# folder under OUT_DIR; finished runs are skipped, so the script can be rerun after a stop.
# Environment: FSLLM_ABLATION_EPOCHS (default 2), FSLLM_ABLATION_LR (default 1e-3),
# FSLLM_ABLATION_SEEDS (default "1"), FSLLM_ABLATION_SETS (default "sst2 sst5 twitter_fin conll2003"),
# FSLLM_ABLATION_FULL_SETS (data sets that also get lambda 0.1, 1 and 2, with the first seed;
# default "sst2"),
# FSLLM_ABLATION_THREADS (torch threads per run; default 0 = all cores; use 1 when several
# copies of this script share the machine, one per core).
set -euo pipefail
model="$1"
data="$2"
out="$3"
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${4:-${repoDir}/build}/app/fsllm"
epochs="${FSLLM_ABLATION_EPOCHS:-2}"
lr="${FSLLM_ABLATION_LR:-1e-3}"
seeds="${FSLLM_ABLATION_SEEDS:-1}"
sets="${FSLLM_ABLATION_SETS:-sst2 sst5 twitter_fin conll2003}"
fullSets="${FSLLM_ABLATION_FULL_SETS:-sst2}"
threads="${FSLLM_ABLATION_THREADS:-0}"
mkdir -p "${out}"
log="${out}/ablations.log"

# name -> "task train dev extra options"
declare -A kSets=(
    [sst2]="seq ${data}/sst2_sentence/train.txt ${data}/sst2_sentence/dev.txt --format sentence"
    [sst5]="seq ${data}/sst5/train.txt ${data}/sst5/dev.txt --format sentence"
    [twitter_fin]="seq ${data}/twitter_fin/train.csv ${data}/twitter_fin/dev.csv --format csv --text-column text --label-column label"
    [conll2003]="token ${data}/conll2003/train.txt ${data}/conll2003/dev.txt --format conll"
)

train() { # set name mask lambda seed
    local set="$1" name="$2" mask="$3" lambda="$4" seed="$5"
    local dir="${out}/${set}/${name}-s${seed}"
    if grep -q "finished: completed" "${dir}/train.log" 2>/dev/null; then
        echo "skip ${dir} (done)" | tee -a "${log}"
        return
    fi
    rm -rf "${dir}"
    read -r task trainFile devFile extra <<<"${kSets[$set]}"
    local start=$(date +%s)
    # shellcheck disable=SC2086
    "${cli}" train --model "${model}" --task "${task}" --train "${trainFile}" --dev "${devFile}" \
        ${extra} --mask "${mask}" --lambda "${lambda}" --pooling last --head fs --epochs "${epochs}" \
        --lr "${lr}" --batch-size 16 --max-length 128 --seed "${seed}" --log-every 20 \
        --threads "${threads}" \
        --out "${dir}" >"${dir}.out" 2>&1 || { echo "FAILED ${dir}" | tee -a "${log}"; return; }
    echo "$(date +%T) ${dir}: $(( $(date +%s) - start )) s; $(tail -1 "${dir}.out")" | tee -a "${log}"
}

zeroshot() { # set
    local set="$1" dir="${out}/$1/zeroshot"
    [[ -f "${dir}/metrics.jsonl" ]] && { echo "skip ${dir} (done)" | tee -a "${log}"; return; }
    rm -rf "${dir}"
    read -r task trainFile devFile extra <<<"${kSets[$set]}"
    local verbalizers=""
    [[ "${set}" == "twitter_fin" ]] && verbalizers="--verbalizers 0=bearish,1=bullish,2=neutral"
    local start=$(date +%s)
    # shellcheck disable=SC2086
    "${cli}" zeroshot --model "${model}" --data "${devFile}" ${extra} ${verbalizers} \
        --template "Review: {text}\nSentiment:" --threads "${threads}" --out "${dir}" >"${dir}.out" 2>&1 ||
        { echo "FAILED ${dir}" | tee -a "${log}"; return; }
    echo "$(date +%T) ${dir}: $(( $(date +%s) - start )) s; $(grep accuracy "${dir}.out" | tail -1)" | tee -a "${log}"
}

for set in ${sets}; do
    mkdir -p "${out}/${set}"
    [[ "$(echo "${kSets[$set]}" | cut -d' ' -f1)" == "seq" ]] && zeroshot "${set}"
    firstSeed="${seeds%% *}"
    for seed in ${seeds}; do
        train "${set}" causal-last causal 0 "${seed}"
        train "${set}" bidirectional bidirectional 0 "${seed}"
        train "${set}" decay0.5 decay 0.5 "${seed}"
        # The other lambdas with the first seed only (time).
        if [[ " ${fullSets} " == *" ${set} "* && "${seed}" == "${firstSeed}" ]]; then
            for lambda in 0.1 1 2; do
                train "${set}" "decay${lambda}" decay "${lambda}" "${seed}"
            done
        fi
    done
done
echo "all done" | tee -a "${log}"
