#pragma once
// Writing files so that nothing is lost: every output of one action (a command's figure, its
// recipe, JSON and CSV; an Export All folder) is written as one transaction, all or none.
//
// stage() writes the bytes to a temporary file beside the target (same folder, so the final
// rename is atomic on POSIX file systems), checking every write(2), then fsync(2) and close(2):
// a full disk (ENOSPC), a file size limit (EFBIG) or an I/O error surfaces there, on the
// temporary file, and the target is untouched. (Buffered writers such as std::ofstream or a
// buffered QSaveFile report a failed final flush late or not at all; that is how a full disk
// once left a 0-byte file over a good one.) commit() renames every temporary file over its target;
// should a rename fail midway, the targets already replaced are restored from hard-link backups
// made just before, so the transaction still ends with all or none (on a file system without
// hard links a replaced file cannot be restored; renames in a folder one can write to fail only
// in very rare cases, such as a sticky folder holding another user's file). A transaction destroyed
// without commit() removes its temporary files.
//
// Only the standard library and POSIX: the core has no Qt; ui/ and app/ call this same code.
#include <string>
#include <string_view>
#include <vector>

namespace ts {

class FileTransaction {
public:
    FileTransaction() = default;
    FileTransaction(const FileTransaction&) = delete;
    FileTransaction& operator=(const FileTransaction&) = delete;
    ~FileTransaction(); // removes staged temporary files unless committed

    // Refuses, before any work, a target that cannot be written: its folder missing or not
    // writable, the target a folder or another non-regular file, or a path this transaction
    // already holds (`--out x.png --json x.png`). Throws ts::Error with a one-line message.
    void reserve(const std::string& path);
    // Writes `bytes` to a temporary file for `path` (reserving it first unless reserve(path) was
    // called with this very string).
    // Throws ts::Error ("cannot write 'PATH': No space left on device ...") and removes the
    // temporary file on any failure; earlier staged files stay staged until commit or destruction.
    void stage(const std::string& path, std::string_view bytes);
    // The same for a file made of pieces written one after another (no copy into one buffer).
    void stage(const std::string& path, const std::vector<std::string_view>& pieces);
    // Renames every staged file into place (all or none). Throws ts::Error on failure.
    void commit();

    // The targets staged so far, in order.
    std::vector<std::string> stagedPaths() const;

private:
    struct Entry {
        std::string target, identity, temp; // temp: empty once renamed into place (or never staged)
        bool staged = false;
    };
    std::vector<Entry> m_entries;
    bool m_committed = false;
    void discard() noexcept;
};

// A transaction of one file.
void writeFileAtomically(const std::string& path, std::string_view bytes);
void writeFileAtomically(const std::string& path, const std::vector<std::string_view>& pieces);

} // namespace ts
