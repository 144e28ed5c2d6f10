#!/usr/bin/env bash
# The two set-up commands of the README, for a fresh Debian 12 machine:
#   installer/setup.sh run    install what is needed, build, and run the main job on the bundled
#                             default model and demo data
#   installer/setup.sh test   install what is needed, build, and run the whole test suite (CTest)
# Both are idempotent and incremental: the second time they only rebuild what changed.
# Environment: FSLLM_BUILD_DIR (default <repo>/build), FSLLM_GUI=ON|OFF (default ON),
# FSLLM_JOBS (default nproc); FSLLM_DEPS_DIR and FSLLM_TOKENIZERS_DIR, when set, go to both
# install-deps.sh and CMake, so the build finds what the script installed.
set -euo pipefail

repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
buildDir="${FSLLM_BUILD_DIR:-${repoDir}/build}"
gui="${FSLLM_GUI:-ON}"
jobs="${FSLLM_JOBS:-$(nproc)}"
mode="${1:-}"

log() { printf '[setup] %s\n' "$*"; }

case "${mode}" in
    run | test) ;;
    *)
        echo "usage: installer/setup.sh run|test" >&2
        exit 2
        ;;
esac

"${repoDir}/installer/install-deps.sh"

log "configuring ${buildDir} (GUI ${gui})"
folders=()
[[ -z "${FSLLM_DEPS_DIR:-}" ]] || folders+=(-DFSLLM_DEPS_DIR="${FSLLM_DEPS_DIR}")
[[ -z "${FSLLM_TOKENIZERS_DIR:-}" ]] || folders+=(-DFSLLM_TOKENIZERS_DIR="${FSLLM_TOKENIZERS_DIR}")
cmake -S "${repoDir}" -B "${buildDir}" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DFSLLM_BUILD_GUI="${gui}" -DFSLLM_BUILD_TESTS=ON "${folders[@]}" >/dev/null
log "building with ${jobs} jobs"
cmake --build "${buildDir}" -j "${jobs}"

if [[ "${mode}" == "test" ]]; then
    ctest --test-dir "${buildDir}" --output-on-failure -j "${jobs}"
    exit 0
fi

exec "${repoDir}/installer/run-main-job.sh" "${buildDir}"
