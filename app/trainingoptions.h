// The training settings of a command line (`fsllm train`, `fsllm sweep`) read into a
// TrainingConfig: --config's file first, then every option given overrides it. Shared so that a
// sweep's base configuration means exactly what the same options mean to train.
// Thread-safety: pure functions.
#pragma once

#include "commandline.h"
#include "trainingconfig.h"

namespace fsllm {

class TrainingOptions {
public:
    // --format, --text-column, --label-column, --csv-columns, --tag-column into `data`.
    static void applyDataOptions(const CommandLine& line, DataReadOptions& data);
    // The run's configuration: --config's file (when given), then the options of train's table.
    static TrainingConfig configFrom(const CommandLine& line);
};

} // namespace fsllm
