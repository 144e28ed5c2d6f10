// The engines "Runs side by side" opened, kept per (model, run) while the comparison view lives,
// so a second comparison (another sentence, another order) reuses them instead of loading the
// model and the adapter again. An entry is reopened when the run's best/ adapter changed on disk
// (its folder was swapped; for an adapter folder without best/, when a file in it was replaced).
// release() / releaseAll() drop entries at once from the GUI thread; an engine a comparison
// still uses lives until that comparison ends; after close() nothing new is kept. Engines are
// used by one thread at a time, so a comparison holds use() for its whole length (at most one
// comparison uses the cache at a time; a superseded one stops at its next cancel check).
// Thread-safety: use()/engine() on the comparing thread, the rest from any thread.
#pragma once

#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace fsllm {

class Engine;

class RunEngineCache {
public:
    RunEngineCache();
    ~RunEngineCache();
    RunEngineCache(const RunEngineCache&) = delete;
    RunEngineCache& operator=(const RunEngineCache&) = delete;

    // Held while a comparison uses engines from the cache.
    std::unique_lock<std::mutex> use();
    // The engine of `modelDir` with `runDir`'s adapter: cached, or opened now (Engine::open +
    // loadAdapter, whose FsllmError propagates and caches nothing). The caller holds use().
    std::shared_ptr<Engine> engine(const QString& modelDir, const QString& runDir);

    void release(const QString& runDir);          // every model's engine with this run
    void keepOnlyModel(const QString& modelDir);  // drops engines of other models
    void releaseAll();
    void close(); // releaseAll(), and keep nothing from now on (the view closes)

    int openCount() const; // Engine::open calls so far
    QStringList cachedRuns() const; // "model|run" of the cached engines
    int size() const;

private:
    struct Entry {
        std::shared_ptr<Engine> engine;
        QString adapterStamp; // best/'s (or the adapter folder's) inode and time when opened
    };
    using Key = std::pair<QString, QString>; // model, run (absolute)

    std::mutex m_use;
    mutable std::mutex m_map;
    std::map<Key, Entry> m_entries;
    bool m_closed = false;
    int m_opens = 0;
};

} // namespace fsllm
