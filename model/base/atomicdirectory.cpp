// Folder swap for checkpoints (see atomicdirectory.h). Every file-system step goes through
// FileFaults so crash-consistency tests can fail or kill it.
#include "atomicdirectory.h"

#include "atomicfile.h"
#include "filefaults.h"
#include "fsllmerror.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace fsllm {

namespace {

namespace fs = std::filesystem;

std::error_code injected(FileStep kind, const std::string& path) {
    const int error = FileFaults::step(kind, path);
    return error ? std::error_code(error, std::generic_category()) : std::error_code();
}

void removeAll(const std::string& path, std::error_code& error) {
    error = injected(FileStep::Remove, path);
    if (!error)
        fs::remove_all(path, error);
}

void renameFolder(const std::string& from, const std::string& to, std::error_code& error) {
    error = injected(FileStep::Rename, to);
    if (!error)
        fs::rename(from, to, error);
}

// "<name>.staging" (older versions) or "<name>.staging-<pid>-<n>" of a process that has ended.
bool isStaleStaging(const std::string& entry, const std::string& prefix) {
    if (entry.compare(0, prefix.size(), prefix) != 0)
        return false;
    const std::string rest = entry.substr(prefix.size());
    if (rest.empty())
        return true;
    if (rest[0] != '-')
        return false;
    const long pid = std::strtol(rest.c_str() + 1, nullptr, 10);
    return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

} // namespace

std::string AtomicDirectory::stage(const std::string& target) {
    static std::atomic<unsigned> counter{0};
    const fs::path targetPath(target);
    const std::string prefix = targetPath.filename().string() + ".staging";
    std::error_code error;
    const fs::path parent = targetPath.has_parent_path() ? targetPath.parent_path() : fs::path(".");
    for (fs::directory_iterator it(parent, error), end; !error && it != end; it.increment(error)) {
        std::error_code ignored;
        if (isStaleStaging(it->path().filename().string(), prefix))
            removeAll(it->path().string(), ignored);
    }
    const std::string staging =
        target + ".staging-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    error = injected(FileStep::MakeFolder, staging);
    if (!error)
        fs::create_directories(staging, error);
    if (error)
        throw FsllmError(staging + ": cannot create the folder (" + error.message() +
                         "); check that the run folder is writable and has free space");
    return staging;
}

void AtomicDirectory::commit(const std::string& staging, const std::string& target) {
    const std::string old = target + ".old";
    std::error_code error;
    if (fs::exists(target)) {
        if (fs::exists(old))
            removeAll(old, error);
        if (!error)
            renameFolder(target, old, error);
        if (error)
            throw FsllmError(target + ": cannot move the previous folder aside (" +
                             error.message() + ")");
    }
    renameFolder(staging, target, error);
    if (error)
        throw FsllmError(target + ": cannot move the new folder into place (" + error.message() +
                         "); the previous one is kept as " + old);
    const fs::path parent = fs::path(target).parent_path();
    AtomicFile::syncFolder(parent.empty() ? "." : parent.string());
    removeAll(old, error); // best effort: resolve() prefers target anyway
}

void AtomicDirectory::discard(const std::string& staging) {
    std::error_code error;
    fs::remove_all(staging, error);
}

std::string AtomicDirectory::resolve(const std::string& target) {
    if (fs::is_directory(target))
        return target;
    if (fs::is_directory(target + ".old"))
        return target + ".old";
    return "";
}

} // namespace fsllm
