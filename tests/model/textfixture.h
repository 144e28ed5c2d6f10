// Plain file reading for the model tests: a file's bytes as they are, and its non-empty lines
// (golden id files, JSONL text lists). A missing file reads as empty; tests check existence
// themselves where it matters.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fsllm::testing {

inline std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::vector<std::string> readLines(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(readText(path));
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            lines.push_back(line);
    return lines;
}

} // namespace fsllm::testing
