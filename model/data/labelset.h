// The label set of a run: found in the training data, then fixed (saved in classifier.json).
// A dev/test label not seen in training is an error that names it, the file and the line.
// Sequence labels sort naturally ("0" < "1" < "2" < "10", else lexicographic); token tags sort
// with "O" first. Thread-safety: immutable after construction.
#pragma once

#include "classifierspec.h"
#include "rawexample.h"

#include <map>
#include <string>
#include <vector>

namespace fsllm {

class LabelSet {
public:
    LabelSet() = default;
    explicit LabelSet(std::vector<std::string> names);
    // Every distinct label (seq) or tag (token) of `examples`.
    static LabelSet fromExamples(const std::vector<RawExample>& examples, TaskKind task);

    int size() const { return static_cast<int>(m_names.size()); }
    const std::vector<std::string>& names() const { return m_names; }
    const std::string& name(int id) const { return m_names.at(static_cast<std::size_t>(id)); }
    bool contains(const std::string& label) const { return m_ids.count(label) > 0; }
    // Throws FsllmError("<source>:<line>: label '<x>' was not seen in training (known: a, b)").
    int id(const std::string& label, const std::string& source, int line) const;

private:
    std::vector<std::string> m_names;
    std::map<std::string, int> m_ids;
};

} // namespace fsllm
