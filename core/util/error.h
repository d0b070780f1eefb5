#pragma once
// Errors the core reports to its two catch sites (the command line and the GUI's job runner).
#include <stdexcept>
#include <string>

namespace ts {

// A one-line, user-facing message that names the input at fault.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown by RunControl::throwIfCancelled(); never an error to report.
class Cancelled : public std::exception {
public:
    const char* what() const noexcept override { return "cancelled"; }
};

} // namespace ts
