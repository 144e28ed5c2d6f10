// Atomic file writes (see atomicfile.h): temp file in the target's folder, write, fsync, rename.
// Thread-safe: the temp name carries the process id and a per-process counter. Every step goes
// through FileFaults so crash-consistency tests can fail or kill it.
#include "atomicfile.h"

#include "filefaults.h"
#include "fsllmerror.h"

#include <atomic>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fsllm {

namespace {

std::string errnoText(int error) {
    return std::strerror(error);
}

[[noreturn]] void fail(const std::string& path, const std::string& action, int error) {
    throw FsllmError(path + ": cannot " + action + " (" + errnoText(error) +
                     "); check that the folder exists, is writable and has free space");
}

std::string folderOf(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns 0 or an errno value.
int writeAll(int fd, const std::string& bytes) {
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, left);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    return 0;
}

} // namespace

void AtomicFile::write(const std::string& path, const std::string& bytes) {
    if (path.empty())
        throw FsllmError("AtomicFile: empty path; give the file a name");
    static std::atomic<unsigned> counter{0};
    const std::string tempPath =
        path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);

    if (const int injected = FileFaults::step(FileStep::Create, tempPath))
        fail(path, "create temporary file '" + tempPath + "'", injected);
    const int fd = ::open(tempPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        fail(path, "create temporary file '" + tempPath + "'", errno);

    int error = FileFaults::step(FileStep::Write, tempPath);
    if (error == 0)
        error = writeAll(fd, bytes);
    if (error == 0)
        error = FileFaults::step(FileStep::Sync, tempPath);
    if (error == 0 && FileFaults::syncEnabled() && ::fsync(fd) != 0)
        error = errno;
    if (::close(fd) != 0 && error == 0)
        error = errno;
    if (error != 0) {
        ::unlink(tempPath.c_str());
        fail(path, "write", error);
    }
    error = FileFaults::step(FileStep::Rename, path);
    if (error != 0 || ::rename(tempPath.c_str(), path.c_str()) != 0) {
        error = error != 0 ? error : errno;
        ::unlink(tempPath.c_str());
        fail(path, "replace the file", error);
    }
    AtomicFile::syncFolder(folderOf(path));
}

void AtomicFile::appendLines(const std::string& path, const std::string& lines) {
    if (const int injected = FileFaults::step(FileStep::Create, path))
        fail(path, "open for appending", injected);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        fail(path, "open for appending", errno);
    int error = FileFaults::step(FileStep::Write, path);
    if (error == 0)
        error = writeAll(fd, lines);
    int syncError = error == 0 ? FileFaults::step(FileStep::Sync, path) : 0;
    if (error == 0 && syncError == 0 && FileFaults::syncEnabled() && ::fsync(fd) != 0)
        syncError = errno;
    ::close(fd);
    if (error != 0 || syncError != 0)
        fail(path, "append to", error != 0 ? error : syncError);
}

void AtomicFile::syncFolder(const std::string& folder) {
    if (FileFaults::step(FileStep::Sync, folder) != 0 || !FileFaults::syncEnabled())
        return;
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace fsllm
