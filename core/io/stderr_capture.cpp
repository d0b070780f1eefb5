#include "core/io/stderr_capture.h"

#include <iostream>
#include <mutex>
#include <unistd.h>

namespace ts {
namespace {

std::mutex& captureMutex()
{
    static std::mutex m;
    return m;
}

} // namespace

StderrCapture::StderrCapture()
{
    captureMutex().lock();
    m_locked = true;
    m_file = std::tmpfile();
    if (!m_file)
        return;
    std::cerr.flush();
    std::fflush(stderr);
    m_saved = ::dup(STDERR_FILENO);
    if (m_saved < 0 || ::dup2(::fileno(m_file), STDERR_FILENO) < 0) {
        if (m_saved >= 0)
            ::close(m_saved);
        m_saved = -1;
        std::fclose(m_file);
        m_file = nullptr;
    }
}

std::string StderrCapture::finish()
{
    std::string text;
    if (m_saved >= 0) {
        std::cerr.flush();
        std::fflush(stderr);
        ::dup2(m_saved, STDERR_FILENO);
        ::close(m_saved);
        m_saved = -1;
    }
    if (m_file) {
        std::rewind(m_file);
        char buffer[4096];
        std::size_t n = 0;
        // Bounded: a decoder printing megabytes has said all there is to say in the first 64 KiB.
        while (text.size() < 65536 && (n = std::fread(buffer, 1, sizeof buffer, m_file)) > 0)
            text.append(buffer, n);
        std::fclose(m_file);
        m_file = nullptr;
    }
    if (m_locked) {
        m_locked = false;
        captureMutex().unlock();
    }
    return text;
}

StderrCapture::~StderrCapture() { finish(); }

} // namespace ts
