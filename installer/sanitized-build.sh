# Sourced by installer/sanitize.sh and installer/fuzz.sh: the one sanitizer build both use.
# configureSanitizedBuild MODE BUILD_DIR
#   address: clang, ASan + UBSan, libFuzzer executables (FSLLM_FUZZ), GUI and tests
#   thread:  clang, TSan, GUI and tests
configureSanitizedBuild() {
    local mode="$1" dir="$2" sanitizers fuzz
    command -v clang++-14 >/dev/null ||
        { echo "clang++-14 is missing (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
    case "${mode}" in
        address) sanitizers="address,undefined"; fuzz=ON ;;
        thread) sanitizers="thread"; fuzz=OFF ;;
        *) echo "unknown sanitizer mode ${mode}" >&2; exit 2 ;;
    esac
    cmake -S "${repoDir}" -B "${dir}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++-14 -DFSLLM_SANITIZE="${sanitizers}" -DFSLLM_FUZZ="${fuzz}" \
        -DFSLLM_BUILD_GUI="${FSLLM_GUI:-ON}" -DFSLLM_BUILD_TESTS=ON >/dev/null
}

# Sanitizer run-time options: a report stops the program; leaks and races inside libraries the
# project does not build are suppressed (tests/sanitizers/*.supp), the project's own are not.
exportSanitizerOptions() {
    local supp="${repoDir}/tests/sanitizers"
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:handle_abort=1:detect_odr_violation=0:allocator_may_return_null=1}"
    export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=${supp}/lsan.supp:print_suppressions=0}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=${supp}/ubsan.supp}"
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=${supp}/tsan.supp}"
    # Instrumented programs run 5-20x slower: Qt Test's 5-minute per-function watchdog would
    # abort a data-driven suite that starts one CLI process per row (tst_badinputs).
    export QTEST_FUNCTION_TIMEOUT="${QTEST_FUNCTION_TIMEOUT:-3600000}"
}
