// Git LFS pointer and HTML page detection (see lfspointer.h). A pointer starts with its version
// line; the spec's pre-release servers wrote "hawser", which git-lfs still reads. Thread-safety:
// pure functions.
#include "lfspointer.h"

#include "fsllmerror.h"

namespace fsllm {

namespace {

constexpr std::string_view kVersionLines[] = {"version https://git-lfs.github.com/spec/",
                                              "version https://hawser.github.com/spec/"};

// Lower-case ASCII of the first bytes after leading whitespace (and a UTF-8 byte-order mark).
std::string lowerHead(std::string_view head) {
    if (head.substr(0, 3) == "\xEF\xBB\xBF")
        head.remove_prefix(3);
    while (!head.empty() && (head.front() == ' ' || head.front() == '\n' || head.front() == '\r' ||
                             head.front() == '\t'))
        head.remove_prefix(1);
    std::string lower(head.substr(0, 16));
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return lower;
}

} // namespace

bool LfsPointer::looksLikeHtml(std::string_view head) {
    const std::string lower = lowerHead(head);
    return lower.rfind("<!doctype html", 0) == 0 || lower.rfind("<html", 0) == 0;
}

bool LfsPointer::looksLikePointer(std::string_view head) {
    for (const std::string_view line : kVersionLines)
        if (head.substr(0, line.size()) == line)
            return true;
    return false;
}

void LfsPointer::refuse(const std::string& path, std::string_view head, std::uint64_t fileBytes) {
    if (looksLikeHtml(head))
        throw FsllmError(path + ": this is an HTML page, not the file itself (" +
                         std::to_string(fileBytes) +
                         " bytes): a download saved an error or login page in its place; "
                         "download the file again (with a token for gated models)");
    if (!looksLikePointer(head))
        return;
    throw FsllmError(path + ": this is a Git LFS pointer, not the file itself (" +
                     std::to_string(fileBytes) +
                     " bytes); run `git lfs pull` in the checkpoint folder (or download the real "
                     "file)");
}

} // namespace fsllm
