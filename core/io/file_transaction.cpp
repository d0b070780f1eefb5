#include "core/io/file_transaction.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace ts {
namespace {

std::string folderOf(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string nameOf(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

Error writeError(const std::string& path, const std::string& reason, bool existed)
{
    return Error("cannot write " + quotedForMessage(path) + ": " + reason + (existed ? " (the existing file is unchanged)" : ""));
}

bool exists(const std::string& path)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

// A fresh name beside `path` ("<path>.part-1a2b3c"), created exclusively with mode 0666 less the
// umask, as any new file; returns the descriptor.
int createUnique(const std::string& path, const char* tag, std::string* name)
{
    static std::mt19937_64 random{std::random_device{}()};
    for (int attempt = 0; attempt < 100; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%s-%06llx", tag, static_cast<unsigned long long>(random() & 0xffffff));
        *name = path + suffix;
        const int fd = ::open(name->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

// Every byte written, then fsync and close checked: the first failure's errno, or 0.
int writeAll(int fd, const std::vector<std::string_view>& pieces)
{
    for (const std::string_view bytes : pieces) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const std::size_t chunk = std::min<std::size_t>(bytes.size() - done, std::size_t(1) << 30);
            const ssize_t n = ::write(fd, bytes.data() + done, chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return n < 0 ? errno : ENOSPC;
            done += static_cast<std::size_t>(n);
        }
    }
    // fsync reports delayed write errors (NFS, some full-disk cases); file systems that cannot
    // sync say EINVAL, which is no write error.
    if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        return errno;
    return 0;
}

} // namespace

FileTransaction::~FileTransaction()
{
    if (!m_committed)
        discard();
}

void FileTransaction::discard() noexcept
{
    for (Entry& e : m_entries)
        if (!e.temp.empty()) {
            ::unlink(e.temp.c_str());
            e.temp.clear();
        }
}

void FileTransaction::reserve(const std::string& path)
{
    if (path.empty())
        throw Error("an output path is empty");
    const std::string folder = folderOf(path);
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw writeError(path, "the folder " + quotedForMessage(folder) + " does not exist", false);
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
        throw writeError(path, "the folder " + quotedForMessage(folder) + " is not writable", false);
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        throw writeError(path, S_ISDIR(st.st_mode) ? "it is a folder" : "it is not a regular file", false);
    char resolved[PATH_MAX];
    const std::string identity = (::realpath(folder.c_str(), resolved) ? std::string(resolved) : folder) + "/" + nameOf(path);
    for (const Entry& e : m_entries)
        if (e.identity == identity)
            throw Error(e.target == path ? quotedForMessage(path) + " is given for two outputs: give each output its own path"
                                         : quotedForMessage(path) + " and " + quotedForMessage(e.target)
                                               + " are the same file: give each output its own path");
    m_entries.push_back({path, identity, {}, false});
}

void FileTransaction::stage(const std::string& path, std::string_view bytes)
{
    stage(path, std::vector<std::string_view>{bytes});
}

void FileTransaction::stage(const std::string& path, const std::vector<std::string_view>& pieces)
{
    if (m_committed)
        throw Error("internal: staging into a committed transaction");
    Entry* entry = nullptr;
    for (Entry& e : m_entries)
        if (e.target == path)
            entry = &e;
    if (!entry) {
        reserve(path);
        entry = &m_entries.back();
    }
    if (entry->staged)
        throw Error(quotedForMessage(path) + " is given for two outputs: give each output its own path");
    struct stat target {};
    const bool existed = ::stat(path.c_str(), &target) == 0;
    std::string temp;
    const int fd = createUnique(path, "part", &temp);
    if (fd < 0)
        throw writeError(path, std::strerror(errno), existed);
    if (existed)
        ::fchmod(fd, target.st_mode & 07777); // a replaced file keeps its permissions
    int error = writeAll(fd, pieces);
    if (::close(fd) != 0 && error == 0 && errno != EINTR)
        error = errno;
    if (error != 0) {
        ::unlink(temp.c_str());
        throw writeError(path, std::strerror(error), existed);
    }
    entry->temp = temp;
    entry->staged = true;
}

void FileTransaction::commit()
{
    if (m_committed)
        return;
    // Hard-link backups of the files about to be replaced, so a failed rename can undo the
    // renames before it. (A file system without hard links gets no backup; a single file needs none.)
    std::vector<std::string> backups(m_entries.size());
    std::vector<bool> existed(m_entries.size());
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        existed[i] = exists(m_entries[i].target);
    if (m_entries.size() > 1)
        for (std::size_t i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i].temp.empty() || !existed[i])
                continue;
            std::string name;
            const int fd = createUnique(m_entries[i].target, "old", &name);
            if (fd < 0)
                continue;
            ::close(fd);
            ::unlink(name.c_str());
            if (::link(m_entries[i].target.c_str(), name.c_str()) == 0)
                backups[i] = name;
        }
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        Entry& e = m_entries[i];
        if (e.temp.empty())
            continue; // reserved, never staged
        if (::rename(e.temp.c_str(), e.target.c_str()) == 0) {
            e.temp.clear(); // in place: nothing to remove any more
            continue;
        }
        const int error = errno;
        for (std::size_t j = 0; j < i; ++j) { // undo: the old file back, or no file as before
            if (!m_entries[j].staged)
                continue;
            if (!backups[j].empty())
                ::rename(backups[j].c_str(), m_entries[j].target.c_str());
            else if (!existed[j])
                ::unlink(m_entries[j].target.c_str());
        }
        for (std::size_t j = i; j < backups.size(); ++j)
            if (!backups[j].empty())
                ::unlink(backups[j].c_str());
        discard();
        throw Error("cannot write " + quotedForMessage(e.target) + ": " + std::strerror(error) + "; no output was written");
    }
    for (const std::string& b : backups)
        if (!b.empty())
            ::unlink(b.c_str());
    m_committed = true;
    // Make the renames durable too (errors here lose nothing that is not already in place).
    if (!m_entries.empty()) {
        const int dir = ::open(folderOf(m_entries.front().target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
            ::fsync(dir);
            ::close(dir);
        }
    }
}

std::vector<std::string> FileTransaction::stagedPaths() const
{
    std::vector<std::string> out;
    for (const Entry& e : m_entries)
        if (e.staged)
            out.push_back(e.target);
    return out;
}

void writeFileAtomically(const std::string& path, std::string_view bytes)
{
    writeFileAtomically(path, std::vector<std::string_view>{bytes});
}

void writeFileAtomically(const std::string& path, const std::vector<std::string_view>& pieces)
{
    FileTransaction t;
    t.stage(path, pieces);
    t.commit();
}

} // namespace ts
