#include "ui/jobs/job_runner.h"

#include "core/util/threads.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QPointer>
#include <QPromise>
#include <QThreadPool>
#include <QtConcurrent>

#include <atomic>

namespace ts {

QThreadPool* modelThreadPool()
{
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool();
        p->setMaxThreadCount(1);
        p->setExpiryTimeout(-1); // one long-lived thread, one OpenMP pool
        return p;
    }();
    return pool;
}

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<JobOutcome>::finished, this, &JobRunner::onFinished);
}

JobRunner::~JobRunner()
{
    m_watcher.cancel();
    m_watcher.waitForFinished(); // a job polls its RunControl, so this waits at most one step
}

bool JobRunner::isRunning() const { return m_watcher.isRunning(); }

void JobRunner::start(Job job)
{
    m_watcher.cancel();
    const quint64 gen = ++m_generation;
    QPointer<JobRunner> self(this);
    auto future = QtConcurrent::run(modelThreadPool(), [job = std::move(job), gen, self](QPromise<JobOutcome>& promise) {
        static thread_local bool threadsConfigured = false;
        if (!threadsConfigured) {
            configureThreads();
            threadsConfigured = true;
        }
        JobOutcome out;
        out.generation = gen;
        QElapsedTimer timer;
        timer.start();
        RunControl control;
        control.isCancelled = [&promise] { return promise.isCanceled(); };
        control.onProgress = [self, gen](int done, int total, const std::string& what) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, gen, done, total, text = QString::fromStdString(what)] {
                    if (self && self->m_generation == gen)
                        Q_EMIT self->progress(done, total, text);
                },
                Qt::QueuedConnection);
        };
        try {
            control.throwIfCancelled();
            out.result = job(control);
        } catch (const Cancelled&) {
            out.cancelled = true;
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what()).split('\n').first();
        } catch (...) {
            out.error = QStringLiteral("unexpected failure");
        }
        out.seconds = timer.nsecsElapsed() / 1e9;
        promise.addResult(std::move(out));
    });
    m_watcher.setFuture(future);
    Q_EMIT started();
}

void JobRunner::cancel()
{
    if (m_watcher.isRunning()) {
        m_watcher.cancel();
        ++m_generation; // whatever it returns is stale now
        Q_EMIT cancelled();
    }
}

void JobRunner::onFinished()
{
    if (m_watcher.future().resultCount() == 0)
        return;
    JobOutcome out = m_watcher.future().result();
    if (out.generation != m_generation)
        return;
    if (out.cancelled) {
        Q_EMIT cancelled();
        return;
    }
    Q_EMIT finished(out);
}

} // namespace ts
