#include "labelset.h"

#include "fsllmerror.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

namespace fsllm {

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// The next run of digits or of non-digits in `s`, starting at `pos`.
std::string_view nextRun(std::string_view s, std::size_t pos) {
    std::size_t end = pos;
    const bool digits = isDigit(s[pos]);
    while (end < s.size() && isDigit(s[end]) == digits)
        ++end;
    return s.substr(pos, end - pos);
}

// Compares two digit runs by value: "2" < "10", "007" == "7" (ties broken later).
int compareNumbers(std::string_view a, std::string_view b) {
    auto stripZeros = [](std::string_view s) {
        while (s.size() > 1 && s.front() == '0')
            s.remove_prefix(1);
        return s;
    };
    a = stripZeros(a);
    b = stripZeros(b);
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    return a.compare(b);
}

// Natural order: runs of digits compare by value, everything else byte by byte. A total
// order ("01" and "1" are told apart by plain comparison at the end).
bool naturalLess(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const std::string_view runA = nextRun(a, i), runB = nextRun(b, j);
        const bool numbers = isDigit(runA.front()) && isDigit(runB.front());
        const int order = numbers ? compareNumbers(runA, runB) : runA.compare(runB);
        if (order != 0)
            return order < 0;
        i += runA.size();
        j += runB.size();
    }
    if (i < a.size() || j < b.size())
        return j < b.size(); // the one that ran out first is smaller
    return a < b;
}

} // namespace

LabelSet::LabelSet(std::vector<std::string> names) : m_names(std::move(names)) {
    for (std::size_t i = 0; i < m_names.size(); ++i) {
        if (m_names[i].empty())
            throw FsllmError("label set: label " + std::to_string(i) +
                             " is empty; every label "
                             "needs a name");
        if (!m_ids.emplace(m_names[i], static_cast<int>(i)).second)
            throw FsllmError("label set: label '" + m_names[i] +
                             "' appears twice; list each "
                             "label once");
    }
}

LabelSet LabelSet::fromExamples(const std::vector<RawExample>& examples, TaskKind task) {
    std::set<std::string> distinct;
    for (const RawExample& example : examples) {
        if (task == TaskKind::Sequence)
            distinct.insert(example.label);
        else
            distinct.insert(example.tags.begin(), example.tags.end());
    }
    std::vector<std::string> names(distinct.begin(), distinct.end());
    std::sort(names.begin(), names.end(), [task](const std::string& a, const std::string& b) {
        if (task == TaskKind::Token && (a == "O" || b == "O"))
            return a == "O" && b != "O";
        return naturalLess(a, b);
    });
    return LabelSet(std::move(names));
}

int LabelSet::id(const std::string& label, const std::string& source, int line) const {
    const auto it = m_ids.find(label);
    if (it != m_ids.end())
        return it->second;
    constexpr std::size_t kMaxListed = 20;
    std::string known;
    for (std::size_t i = 0; i < m_names.size() && i < kMaxListed; ++i)
        known += (i == 0 ? "" : ", ") + m_names[i];
    if (m_names.size() > kMaxListed)
        known += ", ... (" + std::to_string(m_names.size()) + " in all)";
    throw FsllmError(source + ":" + std::to_string(line) + ": label '" + label +
                     "' was not seen in training (known: " + known +
                     "); fix the label, or "
                     "train on data that contains it");
}

} // namespace fsllm
