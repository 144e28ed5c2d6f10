// Recognises a Git LFS pointer file (a small text file "version https://git-lfs.github.com/spec/v1
// ...") saved in place of a checkpoint file, so readers say so before parsing it as weights, JSON
// or a tokenizer. Torch-free. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fsllm {

class LfsPointer {
public:
    // Whether `head`, the first bytes of a file, start like a Git LFS pointer.
    static bool looksLikePointer(std::string_view head);

    // Throws FsllmError("<path>: this is a Git LFS pointer, not the file itself (N bytes); run
    // `git lfs pull` ...") when `head`, the first bytes of the file at `path` (`fileBytes` long),
    // is a pointer. Call before any parsing.
    static void refuse(const std::string& path, std::string_view head, std::uint64_t fileBytes);
};

} // namespace fsllm
