#!/usr/bin/env bash
# The sweeps behind docs/RESULTS.md: `fsllm sweep` over the paper's data sets with 3 seeds per
# configuration, one thread per run, float32 compute, 2 epochs.
#
#   installer/run-results.sh MODEL_DIR DATASETS_DIR OUT_DIR STEP [STEP ...]
#
# STEP is SET:KIND, SET one of sst2 sst5 twitter_fin conll2003 (DATASETS_DIR as ../shared/datasets
# lays them out), KIND one of
#   main       causal, bidirectional and decay (lambda 0.5) masks, fs head      -> OUT_DIR/SET/main
#   mainheads  the same with the fs and the linear head                          -> OUT_DIR/SET/main
#   layerk     decay (0.5) from layer 0 and from layer 2 on, against causal      -> OUT_DIR/SET/layerk
#   lambda     decay with lambda 0.1, 0.5, 1, 2 against causal                   -> OUT_DIR/SET/lambda
#   zeroshot   the w/o LS baseline: label words scored by the LM head (sequence
#              sets; "Review: {text}\nSentiment:", deterministic, no seeds)      -> OUT_DIR/SET/zeroshot
# layerk and lambda reuse main's causal and decay 0.5 runs through symbolic links, so run main
# first. Every step is a resumable sweep: run the script again after a stop. Two copies of the
# script with different steps can share a 2-core machine (one thread each).
# installer/sweep_tables.py OUT_DIR/SET/KIND ... prints the tables.
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n 2,18p "$0" >&2; exit 2; }
model="$1"
data="$2"
out="$3"
shift 3
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${FSLLM_CLI:-${repoDir}/build/app/fsllm}"
common=(--model "${model}" --epochs 2 --lr 1e-3 --batch-size 16 --max-length 128 --pooling last
        --threads 1 --dtype float32 --lambda 0.5 --seeds 1,2,3 --jobs 1)

# Sets dataArgs to the training options of data set $1.
setDataArgs() {
    case "$1" in
    sst2) dataArgs=(--task seq --train "${data}/sst2_sentence/train.txt" --dev "${data}/sst2_sentence/dev.txt" --format sentence) ;;
    sst5) dataArgs=(--task seq --train "${data}/sst5/train.txt" --dev "${data}/sst5/dev.txt" --format sentence) ;;
    twitter_fin) dataArgs=(--task seq --train "${data}/twitter_fin/train.csv" --dev "${data}/twitter_fin/dev.csv" --format csv --text-column text --label-column label) ;;
    conll2003) dataArgs=(--task token --train "${data}/conll2003/train.txt" --dev "${data}/conll2003/dev.txt" --format conll) ;;
    *) echo "unknown data set '$1' (sst2, sst5, twitter_fin, conll2003)" >&2; exit 2 ;;
    esac
}

# Links main's runs whose names match $3 into OUT_DIR/SET/$2 (the baseline is trained once).
linkRuns() {
    mkdir -p "${out}/$1/$2"
    local run
    for run in "${out}/$1/main/"*-$3-s[0-9]*; do
        [[ -d "${run}" ]] && ln -sfn "${run}" "${out}/$1/$2/$(basename "${run}")"
    done
}

for step in "$@"; do
    set="${step%%:*}"
    kind="${step##*:}"
    setDataArgs "${set}"
    echo "$(date +%T) ${step}"
    case "${kind}" in
    main) "${cli}" sweep "${common[@]}" "${dataArgs[@]}" --masks causal,bidirectional,decay --heads fs --out "${out}/${set}/main" ;;
    mainheads) "${cli}" sweep "${common[@]}" "${dataArgs[@]}" --masks causal,bidirectional,decay --heads fs,linear --out "${out}/${set}/main" ;;
    layerk)
        linkRuns "${set}" layerk causal-fs
        linkRuns "${set}" layerk decay0.5-fs
        "${cli}" sweep "${common[@]}" "${dataArgs[@]}" --masks causal,decay --mask-from-layers 0,2 --heads fs --out "${out}/${set}/layerk" ;;
    lambda)
        linkRuns "${set}" lambda causal-fs
        linkRuns "${set}" lambda decay0.5-fs
        "${cli}" sweep "${common[@]}" "${dataArgs[@]}" --masks causal,decay --lambdas 0.1,0.5,1,2 --heads fs --out "${out}/${set}/lambda" ;;
    zeroshot)
        verbalizers=()
        [[ "${set}" == "twitter_fin" ]] && verbalizers=(--verbalizers 0=bearish,1=bullish,2=neutral)
        rm -rf "${out}/${set}/zeroshot"
        # dataArgs: --task seq --train FILE --dev FILE then the format options; the default
        # template is the one above.
        "${cli}" zeroshot --model "${model}" --data "${dataArgs[5]}" "${dataArgs[@]:6}" "${verbalizers[@]}" \
            --threads 1 --dtype float32 --out "${out}/${set}/zeroshot" ;;
    *) echo "unknown step kind '${kind}' (main, mainheads, layerk, lambda, zeroshot)" >&2; exit 2 ;;
    esac
done
