// One labelled example as read from a data file, before tokenization: label strings, not ids.
// Plain value type.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

struct RawExample {
    std::string text;               // sequence tasks: the text (several columns joined by " ")
    std::string label;              // sequence tasks: the label string
    std::vector<std::string> words; // token tasks: the words of the sentence
    std::vector<std::string> tags;  // token tasks: one tag per word (IOB1, IOB2 or IOBES)
    int line = 0;                   // 1-based line in the source file where the example starts
};

} // namespace fsllm
