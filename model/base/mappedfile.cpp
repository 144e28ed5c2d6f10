// Read-only whole-file mappings (see mappedfile.h).
#include "mappedfile.h"

#include "fsllmerror.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fsllm {

MappedFile MappedFile::open(const std::string& path, const std::string& what) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw FsllmError(path + ": cannot open (" + std::strerror(errno) +
                         "); check the path and the file's permissions");
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw FsllmError(path + ": is not a regular file; give " + what);
    }
    MappedFile file;
    file.size = static_cast<std::size_t>(info.st_size);
    if (file.size == 0) {
        ::close(fd);
        return file;
    }
    void* address = ::mmap(nullptr, file.size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int mapError = errno;
    ::close(fd);
    if (address == MAP_FAILED)
        throw FsllmError(path + ": cannot memory-map (" + std::strerror(mapError) + ")");
    const std::size_t length = file.size;
    file.owner = std::shared_ptr<const void>(
        address, [length](const void* begin) { ::munmap(const_cast<void*>(begin), length); });
    file.data = static_cast<const std::uint8_t*>(address);
    return file;
}

} // namespace fsllm
