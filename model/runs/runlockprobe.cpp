#include "runlockprobe.h"

#include "runlock.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace fsllm {

RunLockProbe RunLockProbe::probe(const std::string& runDir) {
    RunLockProbe result;
    const std::string path = runDir + "/" + RunLock::kFileName;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return result;
    result.lockFileExists = true;
    int status;
    while ((status = ::flock(fd, LOCK_SH | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (status == 0) {
        ::flock(fd, LOCK_UN);
    } else if (errno == EWOULDBLOCK) {
        result.held = true;
        char text[32] = {};
        if (::pread(fd, text, sizeof(text) - 1, 0) > 0)
            result.pid = std::max(0L, std::strtol(text, nullptr, 10));
    }
    ::close(fd);
    return result;
}

} // namespace fsllm
