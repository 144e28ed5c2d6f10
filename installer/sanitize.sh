#!/usr/bin/env bash
# The whole test suite under sanitizers (clang):
#   installer/sanitize.sh            ASan + UBSan: every suite, engine and studio
#   installer/sanitize.sh thread     TSan: the studio's threaded suites (training worker, inspect
#                                    worker, queued signals) and the engine's training suites
# Builds into build-asan/ or build-tsan/ and runs CTest there. A sanitizer report fails the test
# that caused it. Leaks inside LibTorch, Qt and the system libraries are suppressed
# (tests/sanitizers/lsan.supp); leaks in the project's own code are reported.
# Environment: FSLLM_JOBS (default nproc), FSLLM_GUI (default ON).
set -euo pipefail

repoDir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${FSLLM_JOBS:-$(nproc)}"
gui="${FSLLM_GUI:-ON}"
mode="${1:-address}"

case "${mode}" in
    address)
        buildDir="${repoDir}/build-asan"
        testFilter=""
        ;;
    thread)
        buildDir="${repoDir}/build-tsan"
        testFilter="tst_(studio|studioquit|studioux|uiparts|training|crashconsistency)$"
        ;;
    *)
        echo "usage: installer/sanitize.sh [address|thread]" >&2
        exit 2
        ;;
esac

"${repoDir}/installer/install-deps.sh"
source "${repoDir}/installer/sanitized-build.sh"
configureSanitizedBuild "${mode}" "${buildDir}"
cmake --build "${buildDir}" -j "${jobs}"
exportSanitizerOptions
ctest --test-dir "${buildDir}" --output-on-failure -j "${jobs}" ${testFilter:+-R "${testFilter}"}
