#include "runenginecache.h"

#include "engine.h"

#include <QDir>
#include <QFile>

#include <sys/stat.h>

namespace fsllm {

namespace {

// Changes when training writes a new best/ (AtomicDirectory swaps the folder in), or, for an
// adapter folder without best/, when a file is replaced in it.
QString adapterStamp(const QString& runDir) {
    struct stat info {};
    const QByteArray best = QFile::encodeName(QDir(runDir).filePath(QStringLiteral("best")));
    if (::stat(best.constData(), &info) != 0 &&
        ::stat(QFile::encodeName(runDir).constData(), &info) != 0)
        return QString();
    return QStringLiteral("%1:%2.%3")
        .arg(qulonglong(info.st_ino))
        .arg(qlonglong(info.st_mtim.tv_sec))
        .arg(qlonglong(info.st_mtim.tv_nsec));
}

} // namespace

RunEngineCache::RunEngineCache() = default;
RunEngineCache::~RunEngineCache() = default;

std::unique_lock<std::mutex> RunEngineCache::use() {
    return std::unique_lock<std::mutex>(m_use);
}

std::shared_ptr<Engine> RunEngineCache::engine(const QString& modelDir, const QString& runDir) {
    const Key key{QDir(modelDir).absolutePath(), QDir(runDir).absolutePath()};
    const QString stamp = adapterStamp(key.second);
    {
        const std::lock_guard<std::mutex> lock(m_map);
        const auto it = m_entries.find(key);
        if (it != m_entries.end() && it->second.adapterStamp == stamp)
            return it->second.engine;
    }
    {
        const std::lock_guard<std::mutex> lock(m_map);
        ++m_opens;
    }
    // Opened without the map's lock: the GUI thread may release entries meanwhile.
    std::shared_ptr<Engine> engine =
        Engine::open(key.first.toStdString(), Engine::inspectionOptions(key.first.toStdString()));
    engine->loadAdapter(key.second.toStdString());
    const std::lock_guard<std::mutex> lock(m_map);
    if (!m_closed)
        m_entries[key] = Entry{engine, stamp};
    return engine;
}

void RunEngineCache::release(const QString& runDir) {
    const QString run = QDir(runDir).absolutePath();
    const std::lock_guard<std::mutex> lock(m_map);
    for (auto it = m_entries.begin(); it != m_entries.end();)
        it = it->first.second == run ? m_entries.erase(it) : std::next(it);
}

void RunEngineCache::keepOnlyModel(const QString& modelDir) {
    const QString model = QDir(modelDir).absolutePath();
    const std::lock_guard<std::mutex> lock(m_map);
    for (auto it = m_entries.begin(); it != m_entries.end();)
        it = it->first.first != model ? m_entries.erase(it) : std::next(it);
}

void RunEngineCache::releaseAll() {
    const std::lock_guard<std::mutex> lock(m_map);
    m_entries.clear();
}

void RunEngineCache::close() {
    const std::lock_guard<std::mutex> lock(m_map);
    m_closed = true;
    m_entries.clear();
}

int RunEngineCache::openCount() const {
    const std::lock_guard<std::mutex> lock(m_map);
    return m_opens;
}

QStringList RunEngineCache::cachedRuns() const {
    const std::lock_guard<std::mutex> lock(m_map);
    QStringList runs;
    for (const auto& [key, entry] : m_entries)
        runs << key.first + QLatin1Char('|') + key.second;
    return runs;
}

int RunEngineCache::size() const {
    const std::lock_guard<std::mutex> lock(m_map);
    return int(m_entries.size());
}

} // namespace fsllm
