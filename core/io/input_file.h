#pragma once
// Opening a file the user named as input (--image, --checkpoint, --config, a session): only a
// regular file is read. A named pipe would block the open or the read forever, a folder "reads"
// as an 8-EiB file, a device such as /dev/zero never ends; each is refused in one line before a
// byte is read. The file is opened with O_NONBLOCK (so a pipe cannot block the open itself), then
// fstat decides; its size is known before anything is allocated, so readers can bound what they
// read (a header first, then only the ranges they need).
#include <cstdint>
#include <string>

namespace ts {

class InputFile {
public:
    // `label` starts every message: "image 'a.png'", "checkpoint 'w.safetensors'". Throws
    // ts::Error "<label>: cannot open the file (No such file or directory)", "<label>: is a
    // folder, not a file", "<label>: is a named pipe, not a regular file", ...
    InputFile(const std::string& path, std::string label);
    ~InputFile();
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    std::uint64_t size() const { return m_size; }
    const std::string& label() const { return m_label; }

    // Exactly `length` bytes from `offset`; throws ts::Error when the file ends first (it changed
    // while being read) or the read fails.
    void read(std::uint64_t offset, char* out, std::size_t length) const;
    std::string read(std::uint64_t offset, std::size_t length) const;
    // The whole file, refused with the sizes when it is over `maxBytes`.
    std::string readAll(std::uint64_t maxBytes) const;

private:
    int m_fd = -1;
    std::uint64_t m_size = 0;
    std::string m_label;
};

// "12.0 KiB", "3.00 GiB": a byte count as messages print it (1024-based units).
std::string byteSizeText(std::uint64_t bytes);

} // namespace ts
