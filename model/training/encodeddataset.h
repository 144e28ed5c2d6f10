// A data set tokenized for training or evaluation: BOS-first ids truncated to a maximum length,
// class ids (sequence tasks) or per-token label ids with -100 on every sub-token but a word's
// first (token tasks), and right-padded batches of it.
// Thread-safety: immutable after encode(); batch() may run concurrently.
#pragma once

#include "classifierspec.h"
#include "labelset.h"
#include "rawexample.h"
#include "tokenizer.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace fsllm {

constexpr int64_t kIgnoreLabel = -100; // cross_entropy's ignore_index

struct EncodedExample {
    std::vector<int64_t> ids;          // [T], BOS first, T <= maxLength
    int64_t label = -1;                // sequence tasks: class id (-1 when unlabelled)
    std::vector<int64_t> tokenLabels;  // token tasks: [T], tag id at a word's first sub-token
    std::vector<int> firstSubToken;    // token tasks: per word, index into ids; -1 if truncated
    bool truncated = false;            // longer than maxLength: ids cut there
};

struct EncodingStats {
    int examples = 0;
    int truncatedExamples = 0; // examples longer than maxLength
    int wordsCut = 0;          // token tasks: words lost to truncation (not predicted)
    int64_t tokens = 0;        // after truncation
};

// A right-padded batch: ids [B, T] int64, lengths [B] int64, labels [B] (seq) or [B, T] (token).
struct Batch {
    torch::Tensor ids;
    torch::Tensor lengths;
    torch::Tensor labels;
    std::vector<int> indices; // example indices in the data set
    int64_t realTokens = 0;
};

class EncodedDataset {
public:
    // Tokenizes `examples`. With a label set, labels are mapped (an unseen label is an FsllmError
    // naming `sourceName` and the line); without one (prediction), labels stay -1.
    static EncodedDataset encode(const std::vector<RawExample>& examples, const Tokenizer& tokenizer,
                                 const LabelSet* labels, TaskKind task, int maxLength,
                                 const std::string& sourceName);

    const std::vector<EncodedExample>& examples() const { return m_examples; }
    const EncodingStats& stats() const { return m_stats; }
    TaskKind task() const { return m_task; }
    int size() const { return static_cast<int>(m_examples.size()); }
    std::vector<int> lengths() const;

    Batch batch(const std::vector<int>& indices, int64_t padId, const torch::Device& device) const;

private:
    std::vector<EncodedExample> m_examples;
    EncodingStats m_stats;
    TaskKind m_task = TaskKind::Sequence;
};

} // namespace fsllm
