// `fsllm`: the headless command-line tool. Dispatches subcommands; turns every FsllmError into
// one line on stderr and exit code 2, any other failure into exit code 1. Never crashes on input.
#include "enginecommands.h"
#include "fsllmerror.h"
#include "sweepcommand.h"
#include "trainingcommands.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <iostream>
#include <map>
#include <string>

namespace {

using Command = std::function<int(const std::vector<std::string>&)>;

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> table = {
        {"info", fsllm::EngineCommands::info},
        {"inspect", fsllm::EngineCommands::inspect},
        {"init-tiny", fsllm::EngineCommands::initTiny},
        {"bench", fsllm::EngineCommands::bench},
        {"bench-checkpoint", fsllm::EngineCommands::benchCheckpoint},
        {"pretrain", fsllm::EngineCommands::pretrain},
        {"tokenize", fsllm::EngineCommands::tokenize},
        {"train", fsllm::TrainingCommands::train},
        {"sweep", fsllm::SweepCommand::run},
        {"eval", fsllm::TrainingCommands::eval},
        {"predict", fsllm::TrainingCommands::predict},
        {"zeroshot", fsllm::TrainingCommands::zeroshot},
    };
    return table;
}

// The message on one line: control characters (a CR or LF from a file's text) become visible
// escapes, so the error stays the single line the contract promises.
std::string oneLine(const std::string& message) {
    std::string line;
    for (const char c : message) {
        if (c == '\n')
            line += "\\n";
        else if (c == '\r')
            line += "\\r";
        else if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
            line += ' ';
        else
            line += c;
    }
    return line;
}

int printUsage(std::ostream& out, int code) {
    out << "usage: fsllm <command> [options]   (fsllm <command> --help for one command)\n\n"
        << fsllm::EngineCommands::usage("") << fsllm::TrainingCommands::usage("");
    return code;
}

} // namespace

int main(int argc, char** argv) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("fsllm"));
    if (argc < 2) {
        std::cerr << "usage: fsllm <command> [options]; see fsllm --help\n";
        return 2;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help")
        return printUsage(std::cout, 0);
    auto it = commands().find(name);
    if (it == commands().end()) {
        std::cerr << "fsllm: unknown command '" << name << "'; see fsllm --help\n";
        return 2;
    }
    std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto& arg : args)
        if (arg == "--help" || arg == "-h") {
            const std::string engineUsage = fsllm::EngineCommands::usage(name);
            std::cout << (engineUsage.empty() ? fsllm::TrainingCommands::usage(name) : engineUsage);
            return 0;
        }
    try {
        return it->second(args);
    } catch (const fsllm::FsllmError& e) {
        std::cerr << "error: " << oneLine(e.what()) << "\n";
        return 2;
    } catch (const std::exception& e) {
        const std::string message = e.what(); // first line only: LibTorch appends a backtrace
        std::cerr << "internal error: " << message.substr(0, message.find('\n')) << "\n";
        return 1;
    }
}
