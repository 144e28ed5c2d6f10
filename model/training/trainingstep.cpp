#include "trainingstep.h"

#include "dataparallel.h"

#include <cmath>

namespace fsllm {

namespace {

LearningRateSchedule scheduleFor(const TrainingConfig& config, int totalSteps) {
    const int warmup = static_cast<int>(std::lround(config.warmupRatio * totalSteps));
    return LearningRateSchedule(config.learningRate, totalSteps, warmup, config.schedule);
}

} // namespace

TrainingStep::TrainingStep(ClassifierModel classifier, const TrainingConfig& config,
                           int totalSteps)
    : m_classifier(std::move(classifier)), m_trainable(m_classifier->trainableParameters()),
      m_optimizer(std::make_unique<FlatAdamW>(m_trainable, config.learningRate,
                                              config.weightDecay)),
      m_schedule(scheduleFor(config, totalSteps)), m_maxGradNorm(config.maxGradNorm),
      m_gradAccum(std::max(1, config.gradAccum)) {
    m_classifier->setRecomputeLayers(config.gradientCheckpointing);
}

double TrainingStep::accumulate(const Batch& batch) {
    auto loss = ClassifierModelImpl::loss(m_classifier->forward(batch.ids, batch.lengths),
                                          batch.labels); // [] f32
    const double value = loss.item<double>();
    if (std::isfinite(value))
        (loss / m_gradAccum).backward();
    return value;
}

double TrainingStep::accumulateShard(const Batch* shard, DataParallel& parallel,
                                     int64_t* globalTokens) {
    torch::Tensor sum;
    int64_t count = 0;
    if (shard)
        std::tie(sum, count) = ClassifierModelImpl::lossSum(
            m_classifier->forward(shard->ids, shard->lengths), shard->labels);
    const double local = sum.defined() ? sum.item<double>() : 0.0;
    const double tokens = shard ? static_cast<double>(shard->realTokens) : 0.0;
    const std::vector<double> global = parallel.sum({local, static_cast<double>(count), tokens});
    if (globalTokens)
        *globalTokens = static_cast<int64_t>(global[2]);
    const double mean = global[0] / std::max(1.0, global[1]);
    if (std::isfinite(mean) && sum.defined())
        (sum / (std::max(1.0, global[1]) * m_gradAccum)).backward();
    return mean;
}

double TrainingStep::apply(int step, DataParallel* parallel) {
    if (parallel)
        parallel->sumGradients(m_trainable);
    const double rate = m_schedule.at(step);
    m_optimizer->setLearningRate(rate);
    if (m_maxGradNorm > 0.0)
        m_optimizer->clipGradientNorm(m_maxGradNorm);
    m_optimizer->step();
    m_optimizer->zeroGrad();
    return rate;
}

} // namespace fsllm
