// An spdlog sink that hands every formatted log line to the GUI thread through a queued signal,
// so any thread (the training worker, the inspector) may log while the log panel shows it.
// Thread-safety: sink_it_() runs under base_sink's mutex on the logging thread; the signal is
// delivered queued to receivers on the GUI thread. Create with std::make_shared; keep the
// shared_ptr while it is registered with a logger (MainWindow removes it on destruction).
#pragma once

#include <QObject>
#include <QString>

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>

namespace fsllm {

class QtLogSink : public QObject, public spdlog::sinks::base_sink<std::mutex> {
    Q_OBJECT

public:
    QtLogSink();

    // Adds this sink to spdlog's default logger (and removes it again).
    static void attachToDefaultLogger(const std::shared_ptr<QtLogSink>& sink);
    static void detachFromDefaultLogger(const std::shared_ptr<QtLogSink>& sink);

signals:
    // level: spdlog's short level name ("info", "warning", "error", ...); text without newline.
    void messageLogged(const QString& level, const QString& text);

protected:
    void sink_it_(const spdlog::details::log_msg& message) override;
    void flush_() override {}
};

} // namespace fsllm
