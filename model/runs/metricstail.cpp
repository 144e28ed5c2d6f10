#include "metricstail.h"

#include "fsllmerror.h"
#include "jsontext.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fsllm {

namespace {

using nlohmann::json;

double number(const json& object, const char* key) {
    return object.contains(key) && object[key].is_number() ? object[key].get<double>() : 0.0;
}

StepRecord stepFrom(const json& o) {
    StepRecord r;
    r.step = static_cast<int>(number(o, "step"));
    r.totalSteps = static_cast<int>(number(o, "total_steps"));
    r.epoch = number(o, "epoch");
    r.trainLoss = number(o, "train_loss");
    r.learningRate = number(o, "lr");
    r.tokensPerSecond = number(o, "tokens_per_s");
    r.wallSeconds = number(o, "wall_time");
    r.etaSeconds = number(o, "eta");
    return r;
}

EvalRecord evalFrom(const json& o) {
    EvalRecord r;
    r.step = static_cast<int>(number(o, "step"));
    r.epoch = number(o, "epoch");
    r.evalLoss = number(o, "eval_loss");
    r.accuracy = number(o, "accuracy");
    r.precision = number(o, "precision");
    r.recall = number(o, "recall");
    r.f1 = number(o, "f1");
    r.isBest = o.contains("best") && o["best"].is_boolean() && o["best"].get<bool>();
    r.wallSeconds = number(o, "wall_time");
    return r;
}

// The bytes of `fd` from `offset` to its end.
std::string readFrom(int fd, std::uint64_t offset, const std::string& path) {
    std::string bytes;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t got = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throw FsllmError(path + ": cannot read the run's metrics (" + std::strerror(errno) +
                             ")");
        if (got == 0)
            return bytes;
        bytes.append(buffer, static_cast<std::size_t>(got));
        offset += static_cast<std::uint64_t>(got);
    }
}

} // namespace

MetricsTail::MetricsTail(std::string path) : m_path(std::move(path)) {}

void MetricsTail::restart() {
    m_offset = 0;
    m_lineNumber = 0;
}

MetricsTail::Batch MetricsTail::poll() {
    Batch batch;
    const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (m_offset > 0) { // the file went away: whatever it held is gone
            restart();
            batch.restarted = true;
        }
        return batch;
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0)
        throw FsllmError(m_path + ": cannot read the run's metrics (" + std::strerror(errno) + ")");
    const auto size = static_cast<std::uint64_t>(info.st_size);
    const auto inode = static_cast<std::uint64_t>(info.st_ino);
    const auto device = static_cast<std::uint64_t>(info.st_dev);
    if ((m_offset > 0 && (inode != m_inode || device != m_device)) || size < m_offset) {
        restart();
        batch.restarted = true;
    }
    m_inode = inode;
    m_device = device;
    if (size == m_offset)
        return batch;
    const std::string bytes = readFrom(fd, m_offset, m_path);
    std::size_t consumed = 0;
    while (consumed < bytes.size()) {
        const std::size_t newline = bytes.find('\n', consumed);
        const bool partial = newline == std::string::npos; // no newline (yet)
        const std::size_t end = partial ? bytes.size() : newline;
        const std::string_view line(bytes.data() + consumed, end - consumed);
        const bool last = partial || end + 1 == bytes.size();
        const std::string where = m_path + ":" + std::to_string(m_lineNumber + 1);
        json object;
        bool skipped = TextFile::trimmed(line).empty();
        if (!skipped) {
            try {
                object = JsonText::parse(line, where, "the run's log is damaged; remove the line");
            } catch (const FsllmError&) {
                if (partial)
                    break; // still being written, or a killed run's truncated line: wait
                if (!last)
                    throw;
                skipped = true; // a killed run's truncated last line
            }
            // A line without its newline counts only as a whole object (no prefix of one is).
            if (partial && !skipped && !object.is_object())
                break;
            if (!skipped && !object.is_object())
                throw FsllmError(where + ": holds a JSON " + std::string(object.type_name()) +
                                 ", not an object; the run's log is damaged, remove the line");
        }
        ++m_lineNumber;
        consumed = partial ? end : end + 1;
        if (skipped)
            continue;
        const json& typeValue = object.contains("type") ? object["type"] : json();
        const std::string type = typeValue.is_string() ? typeValue.get<std::string>() : "";
        if (type == "step")
            batch.steps.push_back(stepFrom(object));
        else if (type == "eval")
            batch.evals.push_back(evalFrom(object));
    }
    m_offset += consumed;
    return batch;
}

} // namespace fsllm
