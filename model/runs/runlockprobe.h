// Tells whether a job (a training or zero-shot run, in this process or another) holds a run
// folder's lock (RunLock, "<folder>/.lock") without taking it: a shared flock() that fails while
// the job's exclusive one is held. The probe's shared lock lives for microseconds; RunLock
// retries briefly, so a job that starts at that moment does not see "in use".
// Thread-safety: reentrant; each call opens and closes its own descriptor.
#pragma once

#include <string>

namespace fsllm {

struct RunLockProbe {
    bool lockFileExists = false; // a job has run in this folder (with this or a later version)
    bool held = false;           // a job holds the lock now
    long pid = 0;                // the holder's process id when held and known, else 0

    static RunLockProbe probe(const std::string& runDir);
};

} // namespace fsllm
