#!/usr/bin/env bash
# Coverage-guided fuzzing of every reader of a user's files (libFuzzer + ASan + UBSan, clang).
#   installer/fuzz.sh SECONDS [TARGET...]   fuzz each target (all when none named) for SECONDS
#   installer/fuzz.sh --replay [TARGET...]  run each target once over its committed inputs
#                                           (fuzz/corpus and fuzz/regressions) under ASan + UBSan
#   installer/fuzz.sh --list                the targets
# Builds the fuzz executables in build-asan/, the ASan + UBSan build of installer/sanitize.sh.
# Each target starts from fuzz/corpus/<target>/ and keeps what it learns in
# build-asan/fuzz-corpus/<target>/ (not committed). An input that crashes lands in
# fuzz/found/<target>/; after the fix, move it to fuzz/regressions/<target>/, where the normal
# test suite (tst_fuzzcorpus) replays it on every build. Prints runs, executions and crashes per
# target; exits 1 when any target found a crash.
# Environment: FSLLM_JOBS (default nproc),
# FSLLM_FUZZ_WORKERS (parallel fuzzing processes per target, default 1),
# FSLLM_FUZZ_TOGETHER=1 (fuzz all chosen targets at the same time instead of one after another,
# so N targets take SECONDS of wall time, not N x SECONDS; they share the cores).
set -euo pipefail

repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buildDir="${repoDir}/build-asan"
jobs="${FSLLM_JOBS:-$(nproc)}"
workers="${FSLLM_FUZZ_WORKERS:-1}"

usage() { echo "usage: installer/fuzz.sh SECONDS [TARGET...] | --replay [TARGET...] | --list" >&2; exit 2; }
[[ $# -ge 1 ]] || usage

targets() { ls "${repoDir}/fuzz/corpus"; }
if [[ "$1" == "--list" ]]; then
    targets
    exit 0
fi
seconds="$1"
shift
[[ "${seconds}" == "--replay" || ( "${seconds}" =~ ^[0-9]+$ && "${seconds}" -gt 0 ) ]] || usage
chosen=("$@")
[[ ${#chosen[@]} -gt 0 ]] || mapfile -t chosen < <(targets)

"${repoDir}/installer/install-deps.sh"
source "${repoDir}/installer/sanitized-build.sh"
configureSanitizedBuild address "${buildDir}"
cmake --build "${buildDir}" -j "${jobs}" --target $(printf 'fuzz_%s ' "${chosen[@]}")
exportSanitizerOptions

if [[ "${seconds}" == "--replay" ]]; then
    status=0
    for target in "${chosen[@]}"; do
        inputs=()
        for kind in corpus regressions; do
            [[ -d "${repoDir}/fuzz/${kind}/${target}" ]] &&
                mapfile -t -O "${#inputs[@]}" inputs < <(find "${repoDir}/fuzz/${kind}/${target}" -type f | sort)
        done
        log="${buildDir}/replay-${target}.log"
        if "${buildDir}/fuzz/fuzz_${target}" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
            -timeout=60 "${inputs[@]}" >"${log}" 2>&1; then
            printf '[fuzz] %-16s %4d inputs replayed, no crash\n' "${target}" "${#inputs[@]}"
        else
            printf '[fuzz] %-16s CRASH replaying its inputs (log %s):\n' "${target}" "${log}"
            grep 'Running:' "${log}" | tail -1
            grep -E 'ERROR|SUMMARY|uncaught' "${log}" | head -3
            status=1
        fi
    done
    exit "${status}"
fi

# fuzzOne TARGET: fuzz one target for SECONDS; prints one summary line, returns 1 on a crash.
fuzzOne() {
    local target="$1" work found log maxLen parallel rc execs crashes
    work="${buildDir}/fuzz-corpus/${target}"
    found="${repoDir}/fuzz/found/${target}"
    mkdir -p "${work}" "${found}"
    log="${buildDir}/fuzz-${target}.log"
    # Inputs may grow to the largest seed (a tokenizer.model is ~100 KB), at least 64 KiB.
    maxLen=$(find "${repoDir}/fuzz/corpus/${target}" -type f -printf '%s\n' | sort -n | tail -1)
    (( maxLen > 65536 )) || maxLen=65536
    parallel=()
    (( workers > 1 )) && parallel=(-jobs="${workers}" -workers="${workers}")
    # -malloc_limit_mb: a reader must refuse a huge size before allocating it (counts as a crash).
    set +e
    (cd "${buildDir}" && "${buildDir}/fuzz/fuzz_${target}" "${work}" \
        "${repoDir}/fuzz/corpus/${target}" -max_total_time="${seconds}" -rss_limit_mb=2048 \
        -malloc_limit_mb=2048 -timeout=20 -max_len="${maxLen}" "${parallel[@]}" \
        -artifact_prefix="${found}/" -print_final_stats=1) >"${log}" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "${log}" | awk '{s+=$2} END {print s+0}')
    crashes=$(find "${found}" -type f | wc -l)
    printf '[fuzz] %-16s %6s s  %10s executions  %s crash inputs in fuzz/found/%s  (exit %s, log %s)\n' \
        "${target}" "${seconds}" "${execs}" "${crashes}" "${target}" "${rc}" "${log}"
    rmdir "${found}" 2>/dev/null || true
    [[ ${rc} -eq 0 && ${crashes} -eq 0 ]]
}

status=0
if [[ "${FSLLM_FUZZ_TOGETHER:-0}" == 1 ]]; then
    pids=()
    for target in "${chosen[@]}"; do
        fuzzOne "${target}" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "${pid}" || status=1
    done
else
    for target in "${chosen[@]}"; do
        fuzzOne "${target}" || status=1
    done
fi
exit "${status}"
