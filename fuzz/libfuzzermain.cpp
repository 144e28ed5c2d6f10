// The libFuzzer entry point of one fuzz executable: FSLLM_FUZZ_NAME (a compile definition) picks
// the registered target it drives.
#include "fuzztargetregistry.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fsllm::fuzz::FuzzTarget target =
        fsllm::fuzz::FuzzTargetRegistry::find(FSLLM_FUZZ_NAME);
    if (!target) {
        std::fprintf(stderr, "no fuzz target named %s\n", FSLLM_FUZZ_NAME);
        std::abort();
    }
    return target(data, size);
}
