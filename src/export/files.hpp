// Files that appear under their name only once complete.
#pragma once

#include <string>

namespace ebpfgen::exporter {

// Throws std::runtime_error when no file can be made in `dir` ("" is the current directory).
void check_writable_directory(const std::string& dir);

// Writes a new file of an unpredictable name in the target's directory (mkstemp:
// never an existing file, never through a link someone placed there), flushes
// it to disk, then renames it over `path`. Throws std::runtime_error.
void write_atomically(const std::string& path, const std::string& content);

}  // namespace ebpfgen::exporter
