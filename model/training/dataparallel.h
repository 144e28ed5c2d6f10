// Data-parallel LoRA training on PyTorch's distributed engine (c10d): a TCPStore rendezvous at
// MASTER_ADDR:MASTER_PORT (rank 0 serves it) and a Gloo process group over TCP, the engine that
// torchrun, Slurm and Kubernetes PyTorch jobs use (NCCL would take its place on GPUs). Every
// process holds the frozen base and a replica of the trainable LoRA + head parameters; each
// micro-batch's loss sum and count, and each step's gradients, are summed over the ranks, so
// the optimizer steps identically everywhere and equals one process on the whole global batch.
// A rank that dies or stops answering makes the others fail within the timeout with a message
// (FsllmError), never hang.
// Thread-safety: use from the training thread only.
#pragma once

#include "distributedsettings.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace fsllm {

class DataParallel {
public:
    // Joins the group. Throws FsllmError("distributed training: ...") naming MASTER_ADDR /
    // MASTER_PORT when the rendezvous fails or the other ranks do not come within the timeout,
    // and when this build has no Gloo backend.
    explicit DataParallel(const DistributedSettings& settings);
    ~DataParallel();

    int rank() const;
    int worldSize() const;

    // The element-wise sum of `values` over the ranks (f64; loss sums, counts, tokens).
    std::vector<double> sum(const std::vector<double>& values);
    // Sums the gradients of `parameters` over the ranks in place, through one flat buffer (an
    // undefined gradient counts as zeros and is created).
    void sumGradients(const std::vector<torch::Tensor>& parameters);
    // Waits until every rank has reached this point.
    void barrier();
    // Seconds this rank spent in collectives so far (waiting for slower ranks included).
    double collectiveSeconds() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
