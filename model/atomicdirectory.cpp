#include "atomicdirectory.h"

#include "fsllmerror.h"

#include <filesystem>

namespace fsllm {

namespace fs = std::filesystem;

std::string AtomicDirectory::stage(const std::string& target) {
    const std::string staging = target + ".staging";
    std::error_code error;
    fs::remove_all(staging, error);
    if (!fs::create_directories(staging, error) && error)
        throw FsllmError(staging + ": cannot create the folder (" + error.message() + ")");
    return staging;
}

void AtomicDirectory::commit(const std::string& target) {
    const std::string staging = target + ".staging";
    const std::string old = target + ".old";
    std::error_code error;
    if (fs::exists(target)) {
        fs::remove_all(old, error);
        fs::rename(target, old, error);
        if (error)
            throw FsllmError(target + ": cannot move the previous folder aside (" +
                             error.message() + ")");
    }
    fs::rename(staging, target, error);
    if (error)
        throw FsllmError(target + ": cannot move the new folder into place (" + error.message() +
                         "); the previous one is kept as " + old);
    fs::remove_all(old, error);
}

std::string AtomicDirectory::resolve(const std::string& target) {
    if (fs::is_directory(target))
        return target;
    if (fs::is_directory(target + ".old"))
        return target + ".old";
    return "";
}

} // namespace fsllm
