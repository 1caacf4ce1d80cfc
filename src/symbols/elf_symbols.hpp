// The functions an ELF binary defines, as uprobes can attach to them.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ebpfgen::symbols {

// A binary or function that cannot be found or read. The message is one line;
// notes are extra lines (overloads, close names) to print under it.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::vector<std::string> notes = {})
      : std::runtime_error(message), notes(std::move(notes)) {}
  std::vector<std::string> notes;
};

struct Function {
  std::string mangled;
  std::string demangled;  // equal to mangled for a name that is not C++
  std::uint64_t address = 0;
  std::uint64_t size = 0;
};

// A binary found and its functions read (target/binaries.hpp), or why it was not.
struct Binary {
  std::string path;  // as found: with the root it was looked up under
  std::vector<Function> functions;
  std::optional<Error> error;
};

// Defined functions from .symtab and .dynsym, one per mangled name, sorted by
// demangled then mangled name.
std::vector<Function> read_functions(const std::string& path);

// The C++ spelling of a mangled name, or the name itself.
std::string demangle(std::string_view name);

}  // namespace ebpfgen::symbols
