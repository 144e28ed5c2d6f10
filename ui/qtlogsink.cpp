#include "qtlogsink.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace fsllm {

QtLogSink::QtLogSink() {
    set_pattern("%H:%M:%S %v");
}

void QtLogSink::attachToDefaultLogger(const std::shared_ptr<QtLogSink>& sink) {
    auto& sinks = spdlog::default_logger()->sinks();
    if (std::find(sinks.begin(), sinks.end(), sink) == sinks.end())
        sinks.push_back(sink);
}

void QtLogSink::detachFromDefaultLogger(const std::shared_ptr<QtLogSink>& sink) {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
}

void QtLogSink::sink_it_(const spdlog::details::log_msg& message) {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    QString text = QString::fromUtf8(formatted.data(), int(formatted.size()));
    while (text.endsWith(QLatin1Char('\n')) || text.endsWith(QLatin1Char('\r')))
        text.chop(1);
    const auto level = spdlog::level::to_string_view(message.level);
    // Receivers live on the GUI thread: Qt queues the call when this runs on another thread.
    emit messageLogged(QString::fromUtf8(level.data(), int(level.size())), text);
}

} // namespace fsllm
