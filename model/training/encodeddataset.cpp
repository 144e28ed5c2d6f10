#include "encodeddataset.h"

namespace fsllm {

EncodedDataset EncodedDataset::encode(const std::vector<RawExample>& examples,
                                      const Tokenizer& tokenizer, const LabelSet* labels,
                                      TaskKind task, int maxLength,
                                      const std::string& sourceName) {
    EncodedDataset dataset;
    dataset.m_task = task;
    dataset.m_examples.reserve(examples.size());
    for (const auto& raw : examples) {
        EncodedExample encoded;
        if (task == TaskKind::Sequence) {
            const auto ids = tokenizer.encode(raw.text, /*addBos=*/true);
            encoded.ids.assign(ids.begin(), ids.end());
            if (labels)
                encoded.label = labels->id(raw.label, sourceName, raw.line);
        } else {
            const WordAlignment alignment = tokenizer.encodeWords(raw.words, /*addBos=*/true);
            encoded.ids.assign(alignment.ids.begin(), alignment.ids.end());
            encoded.tokenLabels.assign(encoded.ids.size(), kIgnoreLabel);
            encoded.firstSubToken = alignment.firstSubToken;
            for (std::size_t w = 0; w < raw.words.size(); ++w) {
                const int first = alignment.firstSubToken[w];
                if (labels && first >= 0 && w < raw.tags.size())
                    encoded.tokenLabels[static_cast<std::size_t>(first)] =
                        labels->id(raw.tags[w], sourceName, raw.line);
            }
        }
        if (static_cast<int>(encoded.ids.size()) > maxLength) {
            ++dataset.m_stats.truncatedExamples;
            encoded.truncated = true;
            encoded.ids.resize(static_cast<std::size_t>(maxLength));
            if (task == TaskKind::Token) {
                encoded.tokenLabels.resize(static_cast<std::size_t>(maxLength));
                for (auto& first : encoded.firstSubToken)
                    if (first >= maxLength) {
                        first = -1;
                        ++dataset.m_stats.wordsCut;
                    }
            }
        }
        dataset.m_stats.tokens += static_cast<int64_t>(encoded.ids.size());
        dataset.m_examples.push_back(std::move(encoded));
    }
    dataset.m_stats.examples = static_cast<int>(dataset.m_examples.size());
    return dataset;
}

std::vector<int> EncodedDataset::lengths() const {
    std::vector<int> result;
    result.reserve(m_examples.size());
    for (const auto& example : m_examples)
        result.push_back(static_cast<int>(example.ids.size()));
    return result;
}

Batch EncodedDataset::batch(const std::vector<int>& indices, int64_t padId,
                            const torch::Device& device) const {
    const auto B = static_cast<int64_t>(indices.size());
    int64_t T = 1;
    for (int index : indices)
        T = std::max<int64_t>(T, static_cast<int64_t>(m_examples[index].ids.size()));
    auto ids = torch::full({B, T}, padId, torch::kInt64);                  // [B, T]
    auto lengths = torch::empty({B}, torch::kInt64);                       // [B]
    auto labels = m_task == TaskKind::Sequence ? torch::empty({B}, torch::kInt64)
                                               : torch::full({B, T}, kIgnoreLabel, torch::kInt64);
    auto idAccess = ids.accessor<int64_t, 2>();
    auto lengthAccess = lengths.accessor<int64_t, 1>();
    Batch batch;
    for (int64_t b = 0; b < B; ++b) {
        const auto& example = m_examples[indices[b]];
        const auto length = static_cast<int64_t>(example.ids.size());
        for (int64_t t = 0; t < length; ++t)
            idAccess[b][t] = example.ids[t];
        lengthAccess[b] = length;
        batch.realTokens += length;
        if (m_task == TaskKind::Sequence) {
            labels[b] = example.label;
        } else {
            auto row = labels[b];
            for (int64_t t = 0; t < length; ++t)
                if (example.tokenLabels[t] != kIgnoreLabel)
                    row[t] = example.tokenLabels[t];
        }
    }
    batch.ids = ids.to(device);
    batch.lengths = lengths.to(device);
    batch.labels = labels.to(device);
    batch.indices = indices;
    return batch;
}

} // namespace fsllm
