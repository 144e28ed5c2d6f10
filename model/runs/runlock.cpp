// Run folder lock (see runlock.h): flock(LOCK_EX | LOCK_NB) on "<folder>/.lock", then the
// holder's pid is written into the file for the "in use" message.
#include "runlock.h"

#include "filefaults.h"
#include "fsllmerror.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace fsllm {

namespace {

constexpr int kBusyTries = 5;

// The pid the holder wrote; it writes it right after locking, so wait briefly for it.
std::string holderPid(int fd) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        char text[32] = {};
        const ssize_t got = ::pread(fd, text, sizeof(text) - 1, 0);
        if (got > 0) {
            const long pid = std::strtol(text, nullptr, 10);
            if (pid > 0)
                return std::to_string(pid);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "unknown";
}

} // namespace

RunLock::RunLock(const std::string& directory) {
    const std::string path = directory + "/" + kFileName;
    int error = FileFaults::step(FileStep::Create, path);
    m_fd = error ? -1 : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        error = error ? error : errno;
        throw FsllmError(path + ": cannot create the run folder's lock file (" +
                         std::strerror(error) + "); the run folder must be writable");
    }
    // A RunLockProbe holds a shared lock for microseconds: retry a few times before "in use".
    int busyTries = 0;
    while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        error = errno;
        if (error == EWOULDBLOCK && ++busyTries < kBusyTries) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if (error == EWOULDBLOCK) {
            const std::string pid = holderPid(m_fd);
            ::close(m_fd);
            m_fd = -1;
            throw FsllmError("run folder " + directory + " is in use by another job (pid " + pid +
                             "); wait for it to finish or stop it, or choose another --out");
        }
        ::close(m_fd);
        m_fd = -1;
        throw FsllmError(path + ": cannot lock the run folder (" + std::strerror(error) + ")");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(m_fd, 0) == 0) {
        [[maybe_unused]] const ssize_t written = ::pwrite(m_fd, pid.data(), pid.size(), 0);
    }
}

RunLock::~RunLock() {
    if (m_fd >= 0) {
        ::flock(m_fd, LOCK_UN);
        ::close(m_fd);
    }
}

} // namespace fsllm
