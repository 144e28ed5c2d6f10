// One optimizer step of LoRA fine-tuning, exactly as TrainingJob takes it, so that a test can
// replay given batches and read the gradients between backward and the update
// (tests/model/tst_trainingparity): per micro-batch, forward + cross-entropy + backward of
// loss / gradAccum (gradients add up); then the scheduled learning rate on every AdamW group,
// clipping of the global gradient norm, the AdamW update, and zeroed gradients.
// Owns the AdamW optimizer (decoupled decay on matrices only; FlatAdamW, which moves the
// classifier's trainable parameters, LoRA A/B and the head, into one buffer). Thread-safety: one thread at a time.
#pragma once

#include "classifiermodel.h"
#include "encodeddataset.h"
#include "flatadamw.h"
#include "learningrateschedule.h"
#include "trainingconfig.h"

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace fsllm {

class DataParallel;

class TrainingStep {
public:
    // Reads lr, weight_decay, warmup_ratio (warm-up steps = round(ratio * totalSteps)),
    // schedule, max_grad_norm, grad_accum and gradient_checkpointing from `config`.
    TrainingStep(ClassifierModel classifier, const TrainingConfig& config, int totalSteps);

    // Forward, loss and backward of one micro-batch (the model's current train/eval mode is
    // kept). Returns the micro-batch's mean loss; a non-finite loss is returned without
    // backward, so that the caller can stop before the gradients are spoiled.
    double accumulate(const Batch& batch);
    // Data-parallel: the same for this rank's shard of a global micro-batch (null when the shard
    // is empty). The loss sums and label counts of all ranks are added up first and each rank
    // back-propagates its sum / the global count, so the summed gradients are those of the
    // global micro-batch's mean loss. Returns that global mean loss.
    // `globalTokens` receives the real tokens of the global micro-batch.
    double accumulateShard(const Batch* shard, DataParallel& parallel, int64_t* globalTokens);
    // Optimizer step `step` (0-based): sets schedule.at(step) on every parameter group, clips
    // the gradients' global L2 norm to max_grad_norm (0 = no clipping), updates, zeroes the
    // gradients. Returns the learning rate used.
    // With `parallel`, the gradients are first summed over the ranks.
    double apply(int step, DataParallel* parallel = nullptr);

    FlatAdamW& optimizer() { return *m_optimizer; }
    const LearningRateSchedule& schedule() const { return m_schedule; }
    // LoRA A/B and head parameters, in ClassifierModel::trainableParameters order.
    const std::vector<torch::Tensor>& trainable() const { return m_trainable; }

private:
    ClassifierModel m_classifier;
    std::vector<torch::Tensor> m_trainable;
    std::unique_ptr<FlatAdamW> m_optimizer;
    LearningRateSchedule m_schedule;
    double m_maxGradNorm;
    int m_gradAccum;
};

} // namespace fsllm
