// Runs a function on Qt's global thread pool and delivers its result to a callback on the GUI
// thread, unless the receiving object was destroyed first (the callback then never runs). The
// work function must not throw: catch inside it and return the error as part of the result.
// Thread-safety: call run() from the thread that owns `receiver`; `work` runs on a pool thread.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace fsllm {

class BackgroundCall {
public:
    template <typename Work, typename Done>
    static void run(QObject* receiver, Work work, Done done) {
        using Result = decltype(work());
        auto* watcher = new QFutureWatcher<Result>(receiver); // dies with the receiver
        QObject::connect(watcher, &QFutureWatcher<Result>::finished, receiver,
                         [watcher, done = std::move(done)]() {
                             done(watcher->result());
                             watcher->deleteLater();
                         });
        watcher->setFuture(QtConcurrent::run(std::move(work)));
    }
};

} // namespace fsllm
