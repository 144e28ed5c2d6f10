// Local data-parallel launch (see localworkers.h).
#include "localworkers.h"

#include "fsllmerror.h"
#include "textfile.h"

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <spawn.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fsllm {

namespace {

// A TCP port on the loopback interface that is free now (the kernel's pick for port 0).
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw FsllmError(std::string("--nproc: cannot open a socket (") + std::strerror(errno) +
                         ")");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    if (!ok)
        throw FsllmError("--nproc: cannot find a free port on 127.0.0.1; set MASTER_PORT and "
                         "launch the ranks yourself (README, Scaling out)");
    return ntohs(address.sin_port);
}

// The last non-empty line of a log file, for messages.
std::string lastLine(const std::string& path) {
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (!TextFile::trimmed(line).empty())
            last = line;
    return last;
}

} // namespace

std::vector<std::string> LocalWorkers::withoutNproc(const std::vector<std::string>& arguments) {
    std::vector<std::string> result;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--nproc") {
            ++i; // and its value
            continue;
        }
        if (arguments[i].rfind("--nproc=", 0) == 0)
            continue;
        result.push_back(arguments[i]);
    }
    return result;
}

LocalWorkers::LocalWorkers(int processes, const std::vector<std::string>& arguments) {
    if (processes < 2)
        throw FsllmError("--nproc: give 2 or more processes (got " + std::to_string(processes) +
                         "); without --nproc training runs in one process");
    if (const char* world = std::getenv("WORLD_SIZE"); world && *world)
        throw FsllmError("--nproc: WORLD_SIZE is already set (" + std::string(world) +
                         "): a launcher such as torchrun started this process; drop --nproc");
    const std::string port = std::to_string(freePort());
    const std::string world = std::to_string(processes);
    ::setenv("WORLD_SIZE", world.c_str(), 1);
    ::setenv("MASTER_ADDR", "127.0.0.1", 1);
    ::setenv("MASTER_PORT", port.c_str(), 1);
    ::setenv("LOCAL_WORLD_SIZE", world.c_str(), 1); // all on this machine: they share its cores
    std::vector<std::string> childArguments = {std::filesystem::read_symlink("/proc/self/exe"),
                                               "train"};
    for (const std::string& argument : withoutNproc(arguments))
        childArguments.push_back(argument);
    for (int rank = 1; rank < processes; ++rank) {
        const std::string log =
            (std::filesystem::temp_directory_path() /
             ("fsllm-rank" + std::to_string(rank) + "-" + std::to_string(::getpid()) + ".log"))
                .string();
        ::setenv("RANK", std::to_string(rank).c_str(), 1);
        ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        std::vector<char*> argv;
        for (std::string& argument : childArguments)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        const int error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0)
            throw FsllmError("--nproc: cannot start rank " + std::to_string(rank) + " (" +
                             std::strerror(error) + ")");
        m_children.push_back({rank, pid, log});
    }
    ::setenv("RANK", "0", 1);
    ::setenv("LOCAL_RANK", "0", 1);
}

LocalWorkers::~LocalWorkers() {
    for (const Child& child : m_children)
        if (child.pid > 0) // never kill(-1, ...)
            ::kill(child.pid, SIGTERM);
    for (const Child& child : m_children) {
        int status = 0;
        if (child.pid > 0)
            ::waitpid(child.pid, &status, 0);
    }
}

void LocalWorkers::wait() {
    std::string failures;
    for (Child& child : m_children) {
        int status = 0;
        if (::waitpid(child.pid, &status, 0) < 0)
            continue;
        child.pid = -1;
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok) {
            std::ostringstream why;
            if (WIFEXITED(status))
                why << "exit status " << WEXITSTATUS(status);
            else if (WIFSIGNALED(status))
                why << "signal " << WTERMSIG(status);
            failures += "; rank " + std::to_string(child.rank) + " failed (" + why.str() +
                        "): " + lastLine(child.log).substr(0, 300) + " (log " + child.log + ")";
        } else {
            std::error_code ignored;
            std::filesystem::remove(child.log, ignored);
        }
    }
    m_children.erase(std::remove_if(m_children.begin(), m_children.end(),
                                    [](const Child& child) { return child.pid < 0; }),
                     m_children.end());
    if (!failures.empty())
        throw FsllmError("data-parallel training" + failures);
}

} // namespace fsllm
