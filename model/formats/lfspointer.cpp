// Git LFS pointer detection (see lfspointer.h). A pointer starts with its version line; the
// spec's pre-release servers wrote "hawser", which git-lfs still reads.
// Thread-safety: pure functions.
#include "lfspointer.h"

#include "fsllmerror.h"

namespace fsllm {

namespace {

constexpr std::string_view kVersionLines[] = {"version https://git-lfs.github.com/spec/",
                                              "version https://hawser.github.com/spec/"};

} // namespace

bool LfsPointer::looksLikePointer(std::string_view head) {
    for (const std::string_view line : kVersionLines)
        if (head.substr(0, line.size()) == line)
            return true;
    return false;
}

void LfsPointer::refuse(const std::string& path, std::string_view head, std::uint64_t fileBytes) {
    if (!looksLikePointer(head))
        return;
    throw FsllmError(path + ": this is a Git LFS pointer, not the file itself (" +
                     std::to_string(fileBytes) +
                     " bytes); run `git lfs pull` in the checkpoint folder (or download the real "
                     "file)");
}

} // namespace fsllm
