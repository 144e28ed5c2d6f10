// Qt meta-type declarations for the engine's plain value types that travel through queued
// signals between the worker threads and the GUI thread. Call registerStudioMetaTypes() once
// (MainWindow's constructor does) before the first queued connection carries them.
// Thread-safety: registerStudioMetaTypes() is idempotent and thread-safe.
#pragma once

#include "engine.h"
#include "inspectresult.h"
#include "trainingrecords.h"

#include <QMetaType>

Q_DECLARE_METATYPE(fsllm::StepRecord)
Q_DECLARE_METATYPE(fsllm::EvalRecord)
Q_DECLARE_METATYPE(fsllm::TrainingSummary)
Q_DECLARE_METATYPE(fsllm::InspectResult)
Q_DECLARE_METATYPE(fsllm::ModelSummary)

namespace fsllm {

inline void registerStudioMetaTypes() {
    qRegisterMetaType<fsllm::StepRecord>("fsllm::StepRecord");
    qRegisterMetaType<fsllm::EvalRecord>("fsllm::EvalRecord");
    qRegisterMetaType<fsllm::TrainingSummary>("fsllm::TrainingSummary");
    qRegisterMetaType<fsllm::InspectResult>("fsllm::InspectResult");
    qRegisterMetaType<fsllm::ModelSummary>("fsllm::ModelSummary");
}

} // namespace fsllm
