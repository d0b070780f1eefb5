#include "tests/common/stall_probe.h"

namespace ts::test {

StallProbe::StallProbe(int intervalMs, QObject* parent) : QObject(parent)
{
    // A coarse timer may fire up to 5 % late by design; a precise one keeps the gap honest.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StallProbe::tick);
}

void StallProbe::start()
{
    m_longestNs = 0;
    m_longestAtNs = 0;
    m_ticks = 0;
    m_clock.start();
    m_lastNs = 0;
    m_timer.start();
}

void StallProbe::stop()
{
    if (!m_timer.isActive())
        return;
    tick(); // the time since the last tick counts too
    m_timer.stop();
}

void StallProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 gap = now - m_lastNs;
    if (gap > m_longestNs) {
        m_longestNs = gap;
        m_longestAtNs = now;
    }
    m_lastNs = now;
    ++m_ticks;
}

} // namespace ts::test
