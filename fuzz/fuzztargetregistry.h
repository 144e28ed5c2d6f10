// The project's fuzz targets, by name: each reader that takes bytes from a user's file has one
// function that feeds it those bytes. A clean FsllmError is the expected outcome for bad input;
// any other exception, a crash or a sanitizer report is a defect. The same functions run under
// libFuzzer (fuzz/libfuzzermain.cpp, one executable per target) and replay the committed corpus
// in the normal test suite (tests/fuzz/tst_fuzzcorpus.cpp).
// Thread-safety: registration happens during static initialisation; lookups are read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fsllm::fuzz {

// Feeds `size` bytes to one reader. Returns 0; lets every exception other than FsllmError escape.
using FuzzTarget = int (*)(const std::uint8_t* data, std::size_t size);

class FuzzTargetRegistry {
public:
    // Called by FSLLM_FUZZ_TARGET; returns true so it can initialise a static.
    static bool add(const std::string& name, FuzzTarget target);
    // nullptr when no target has that name.
    static FuzzTarget find(const std::string& name);
    static std::vector<std::string> names(); // sorted
};

} // namespace fsllm::fuzz

// Defines a fuzz target: FSLLM_FUZZ_TARGET(safetensors) { ... use data, size ...; }
#define FSLLM_FUZZ_TARGET(name)                                                                    \
    static void fsllmFuzzBody_##name(const std::uint8_t* data, std::size_t size);                  \
    static int fsllmFuzzEntry_##name(const std::uint8_t* data, std::size_t size) {                 \
        fsllmFuzzBody_##name(data, size);                                                          \
        return 0;                                                                                  \
    }                                                                                              \
    [[maybe_unused]] static const bool fsllmFuzzRegistered_##name =                                \
        ::fsllm::fuzz::FuzzTargetRegistry::add(#name, &fsllmFuzzEntry_##name);                     \
    static void fsllmFuzzBody_##name(const std::uint8_t* data, std::size_t size)
