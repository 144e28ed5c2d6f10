// Scratch files for fuzz targets whose readers take a path: one private temporary folder per
// process, removed at exit. Thread-safety: one fuzzing thread per process (libFuzzer's default).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fsllm::fuzz {

class FuzzScratch {
public:
    // The process's scratch folder (created on first use).
    static const std::string& directory();
    // Writes `bytes` to directory()/name (replacing it) and returns the full path.
    static std::string write(const std::string& name, std::string_view bytes);
    static std::string write(const std::string& name, const std::uint8_t* data, std::size_t size);
    // Removes and recreates directory()/name as an empty folder; returns its path.
    static std::string freshFolder(const std::string& name);
};

} // namespace fsllm::fuzz
