#include "core/io/input_file.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ts {
namespace {

const char* kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return "is a folder, not a file";
    if (S_ISFIFO(mode))
        return "is a named pipe, not a regular file";
    if (S_ISSOCK(mode))
        return "is a socket, not a regular file";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "is a device, not a regular file";
    return "is not a regular file";
}

} // namespace

InputFile::InputFile(const std::string& path, std::string label) : m_label(std::move(label))
{
    m_fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0)
        throw Error(m_label + ": cannot open the file (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const std::string what = ::fstat(m_fd, &st) != 0 ? std::string("cannot be examined") : kindOf(st.st_mode);
        ::close(m_fd);
        m_fd = -1;
        throw Error(m_label + ": " + what);
    }
    // Regular files ignore O_NONBLOCK for reads, but clear it all the same.
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) & ~O_NONBLOCK);
    m_size = static_cast<std::uint64_t>(st.st_size);
}

InputFile::~InputFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void InputFile::read(std::uint64_t offset, char* out, std::size_t length) const
{
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(m_fd, out + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw Error(m_label + ": read error (" + std::strerror(errno) + ")");
        if (n == 0)
            throw Error(m_label + ": the file ended at byte " + std::to_string(offset + done) + " while being read (it changed?)");
        done += static_cast<std::size_t>(n);
    }
}

std::string InputFile::read(std::uint64_t offset, std::size_t length) const
{
    std::string bytes(length, '\0');
    read(offset, bytes.data(), length);
    return bytes;
}

std::string InputFile::readAll(std::uint64_t maxBytes) const
{
    if (m_size > maxBytes)
        throw Error(m_label + ": the file is " + byteSizeText(m_size) + ", above the limit of " + byteSizeText(maxBytes));
    return read(0, static_cast<std::size_t>(m_size));
}

std::string byteSizeText(std::uint64_t bytes)
{
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 6) {
        value /= 1024;
        ++unit;
    }
    char text[48];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(text, sizeof text, value < 10 ? "%.2f %s" : value < 100 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return text;
}

} // namespace ts
