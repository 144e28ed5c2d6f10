#include "fusedprojection.h"

#include "fsllmerror.h"

#include <cstdlib>

namespace fsllm {

namespace {

// The tensors' rows as one [sum rows, ...] view when they lie back to back in one storage,
// else undefined.
torch::Tensor consecutiveRows(const std::vector<torch::Tensor>& tensors) {
    const torch::Tensor& first = tensors.front();
    if (!first.defined() || !first.is_contiguous())
        return {};
    int64_t rows = first.size(0);
    int64_t nextOffset = first.storage_offset() + first.numel();
    for (std::size_t i = 1; i < tensors.size(); ++i) {
        const torch::Tensor& part = tensors[i];
        if (!part.defined() || !part.is_contiguous() || !part.storage().is_alias_of(first.storage()) ||
            part.scalar_type() != first.scalar_type() || part.storage_offset() != nextOffset ||
            part.sizes().slice(1) != first.sizes().slice(1))
            return {};
        rows += part.size(0);
        nextOffset += part.numel();
    }
    std::vector<int64_t> sizes(first.sizes().begin(), first.sizes().end());
    sizes.front() = rows;
    return first.as_strided(sizes, first.strides());
}

// `tensors` become views of consecutive rows of `whole` (set_data keeps each parameter's
// identity, so the modules and the autograd graph still hold them).
void viewRowsOf(const torch::Tensor& whole, std::vector<torch::Tensor> tensors) {
    int64_t row = 0;
    for (auto& tensor : tensors) {
        tensor.set_data(whole.narrow(0, row, tensor.size(0)));
        row += tensor.size(0);
    }
}

// FSLLM_UNFUSED=1 runs every part on its own (for benchmarks that compare the two paths).
bool fusionDisabled() {
    static const bool disabled = [] {
        const char* value = std::getenv("FSLLM_UNFUSED");
        return value && *value && std::string(value) != "0";
    }();
    return disabled;
}

} // namespace

FusedProjection::FusedProjection(std::vector<LoraLinear> parts) : m_parts(std::move(parts)) {
    if (m_parts.size() < 2)
        throw FsllmError("internal error: a fused projection needs at least two parts");
    for (const auto& part : m_parts) {
        if (part->inFeatures() != m_parts.front()->inFeatures())
            throw FsllmError("internal error: fused projections must share their input size");
        m_totalOut += part->outFeatures();
    }
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>>
FusedProjection::baseTensors() const {
    std::vector<torch::Tensor> weights, biases;
    for (const auto& part : m_parts) {
        weights.push_back(part->weight);
        if (part->bias.defined())
            biases.push_back(part->bias);
    }
    return {weights, biases};
}

void FusedProjection::allocateTogether() {
    torch::NoGradGuard noGrad;
    const auto options = m_parts.front()->weight.options();
    const auto [weights, biases] = baseTensors();
    viewRowsOf(torch::empty({m_totalOut, m_parts.front()->inFeatures()}, options), weights);
    if (biases.size() == m_parts.size()) // biases start at zero (LoraLinear's constructor)
        viewRowsOf(torch::zeros({m_totalOut}, options), biases);
}

void FusedProjection::pack() {
    torch::NoGradGuard noGrad;
    const auto [weights, biases] = baseTensors();
    if (!consecutiveRows(weights).defined())
        viewRowsOf(torch::cat(weights, 0), weights);
    if (biases.size() == m_parts.size() && !consecutiveRows(biases).defined())
        viewRowsOf(torch::cat(biases, 0), biases);
}

bool FusedProjection::packed() const {
    const auto [weights, biases] = baseTensors();
    if (!consecutiveRows(weights).defined())
        return false;
    return biases.empty() || (biases.size() == m_parts.size() && consecutiveRows(biases).defined());
}

std::vector<torch::Tensor> FusedProjection::forward(const torch::Tensor& x, bool training) {
    std::vector<torch::Tensor> outputs;
    const auto [weights, biases] = baseTensors();
    // Trainable base weights (pre-training) run one by one: the fused weight is a view made
    // from the first part, and autograd would give the other parts no gradient through it.
    bool baseTrains = false;
    for (const auto& tensor : weights)
        baseTrains = baseTrains || tensor.requires_grad();
    for (const auto& tensor : biases)
        baseTrains = baseTrains || tensor.requires_grad();
    const torch::Tensor weight = consecutiveRows(weights); // [sum out, in]
    const torch::Tensor bias = biases.empty() ? torch::Tensor() : consecutiveRows(biases);
    if (fusionDisabled() || baseTrains || !weight.defined() ||
        (!biases.empty() && !bias.defined())) {
        for (auto& part : m_parts)
            outputs.push_back(part->forward(x));
        return outputs;
    }
    auto y = torch::nn::functional::linear(x, weight, bias); // [..., sum out]

    bool oneAdapter = true; // every part adapted, with one dropout probability
    for (auto& part : m_parts)
        oneAdapter = oneAdapter && part->hasLora() &&
                     part->loraSettings().dropout == m_parts.front()->loraSettings().dropout;
    if (oneAdapter) {
        std::vector<torch::Tensor> stackedA, scaledB;
        for (auto& part : m_parts) {
            stackedA.push_back(part->loraA);                                     // [r_i, in]
            scaledB.push_back(part->loraB * part->loraSettings().scaling());     // [out_i, r_i]
        }
        auto input = x;
        const double dropout = m_parts.front()->loraSettings().dropout;
        if (training && dropout > 0.0)
            input = torch::dropout(input, dropout, /*train=*/true);
        // In the compute dtype, from the f32 masters (as LoraLinear::loraUpdate).
        const auto type = x.scalar_type();
        auto reduced = torch::matmul(input, torch::cat(stackedA, 0).to(type).t()); // [..., sum r]
        y = y + torch::matmul(reduced, torch::block_diag(scaledB).to(type).t()); // + [..., sum out]
    }
    // One split (its backward is one concatenation, not a zero-filled tensor per part).
    std::vector<int64_t> widths;
    for (auto& part : m_parts)
        widths.push_back(part->outFeatures());
    outputs = y.split_with_sizes(widths, -1); // [..., out_i] each
    for (std::size_t i = 0; i < m_parts.size(); ++i)
        if (!oneAdapter && m_parts[i]->hasLora())
            outputs[i] = outputs[i] + m_parts[i]->loraUpdate(x);
    return outputs;
}

} // namespace fsllm
