// Recognises a Git LFS pointer file (a small text file "version https://git-lfs.github.com/spec/v1
// ...") or an HTML page (a failed download's error or login page) saved in place of a checkpoint
// file, so readers say so before parsing it as weights, JSON or a tokenizer. Torch-free.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fsllm {

class LfsPointer {
public:
    // Whether `head`, the first bytes of a file, start like a Git LFS pointer.
    static bool looksLikePointer(std::string_view head);
    // Whether `head` starts (after whitespace) with "<!DOCTYPE html" or "<html", any case.
    static bool looksLikeHtml(std::string_view head);

    // Throws FsllmError("<path>: this is a Git LFS pointer, not the file itself (N bytes); run
    // `git lfs pull` ...") when `head`, the first bytes of the file at `path` (`fileBytes` long),
    // is a pointer, and FsllmError("<path>: this is an HTML page, not the file itself ...") for
    // an HTML page. Call before any parsing.
    static void refuse(const std::string& path, std::string_view head, std::uint64_t fileBytes);
};

} // namespace fsllm
