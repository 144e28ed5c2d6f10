// The state of a run folder for the Runs tab: running (a job holds its lock, RunLockProbe),
// completed (also early stopping), stopped (by the user, or interrupted: started, never
// finished, no job holds the lock) or failed (the log records an error, or nothing was ever
// trained), read from its train.log. Folders without a lock file (runs from before locks) count
// as running while their log was written in the last kQuietSeconds.
// Thread-safety: reentrant; read() reads one file.
#pragma once

#include <QString>

namespace fsllm {

enum class RunState { Running, Completed, Stopped, Failed };

struct RunStatus {
    static constexpr int kQuietSeconds = 120;

    RunState state = RunState::Failed;
    QString detail; // the error, the stop reason, or empty

    // `active`: this studio is training into the folder right now.
    static RunStatus read(const QString& runDir, bool active = false);
    static QString name(RunState state); // "running", "completed", "stopped", "failed"
};

} // namespace fsllm
