#include "childprocess.h"

#include "fsllmerror.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace fsllm {

std::string ChildProcess::selfPath() {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error)
        throw FsllmError("cannot find this program's path (/proc/self/exe: " + error.message() +
                         ")");
    return self.string();
}

pid_t ChildProcess::start(const std::string& program, const std::vector<std::string>& args,
                          const std::string& logPath) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, logPath.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0); // its own group: Ctrl-C goes to the sweep only
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0)
        throw FsllmError("cannot start " + program + " (output to " + logPath +
                         "): " + std::strerror(error));
    return pid;
}

pid_t ChildProcess::waitAny(int& exitCode, const volatile bool* interrupted) {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0 && errno == EINTR) {
            if (interrupted && *interrupted)
                return 0;
            continue;
        }
        if (pid < 0)
            return -1;
        exitCode = WIFEXITED(status) ? WEXITSTATUS(status)
                                     : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
        return pid;
    }
}

void ChildProcess::terminate(pid_t pid) {
    if (pid > 0)
        ::kill(pid, SIGTERM);
}

} // namespace fsllm
