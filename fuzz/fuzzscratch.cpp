#include "fuzzscratch.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fsllm::fuzz {

namespace fs = std::filesystem;

namespace {
struct ScratchFolder {
    std::string path;
    ScratchFolder() {
        std::string pattern = (fs::temp_directory_path() / "fsllm-fuzz-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("fuzz: cannot create a scratch folder under /tmp");
        path = pattern;
    }
    ~ScratchFolder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};
} // namespace

const std::string& FuzzScratch::directory() {
    static ScratchFolder folder;
    return folder.path;
}

std::string FuzzScratch::write(const std::string& name, std::string_view bytes) {
    const fs::path path = fs::path(directory()) / name;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("fuzz: cannot write " + path.string());
    return path.string();
}

std::string FuzzScratch::write(const std::string& name, const std::uint8_t* data,
                               std::size_t size) {
    return write(name, std::string_view(reinterpret_cast<const char*>(data), size));
}

std::string FuzzScratch::freshFolder(const std::string& name) {
    const fs::path path = fs::path(directory()) / name;
    fs::remove_all(path);
    fs::create_directories(path);
    return path.string();
}

} // namespace fsllm::fuzz
