# Sanitizer and fuzzing builds, for every target of the project:
#   -DFSLLM_SANITIZE=address,undefined   ASan + UBSan (installer/sanitize.sh)
#   -DFSLLM_SANITIZE=thread              TSan, for the studio's worker threads
#   -DFSLLM_FUZZ=ON                      libFuzzer executables fuzz_<target> (clang only; adds
#                                        coverage instrumentation to every library)
# A sanitizer report stops the program (no recovery), so a test that triggers one fails.

set(FSLLM_SANITIZE "" CACHE STRING "Sanitizers for every target: address,undefined or thread")
option(FSLLM_FUZZ "Build the libFuzzer executables under fuzz/ (clang)" OFF)

if(FSLLM_SANITIZE)
    message(STATUS "Sanitizers: ${FSLLM_SANITIZE}")
    add_compile_options(-fsanitize=${FSLLM_SANITIZE} -fno-sanitize-recover=all
                        -fno-omit-frame-pointer -g1)
    add_link_options(-fsanitize=${FSLLM_SANITIZE})
endif()

if(FSLLM_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "FSLLM_FUZZ needs clang (CXX=clang++): libFuzzer is part of clang")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()
