// Diagnostics: one error type and one rendering for every stage, so syntax
// and semantic errors look the same: `file:line:col: error: message`, the
// source line, and a caret under the offending text.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfgen {

// Text from a spec, the system (process and container names, symbols, paths)
// or bpftrace, made safe for a terminal: control bytes and DEL shown as \xHH,
// so that no escape sequence reaches it.
std::string shown(std::string_view text);
// As shown, but a newline that starts an indented line, or ends the text, is kept: the
// frames of bpftrace's stacks, one a line. No other line can start at the margin.
std::string shown_lines(std::string_view text);

// Text in double quotes as C and bpftrace write a string literal: quotes, backslashes and
// control characters escaped (\n, \t, \xHH). What a target's description and the generated
// program's strings quote text with.
std::string quoted(std::string_view text);

// A spec's text and the name it is reported under (a path or "<command-line>").
struct Source {
  std::string name;
  std::string text;
};

// 1-based position of a piece of spec text; length is the caret's width.
struct Location {
  std::size_t line = 0;
  std::size_t column = 0;
  std::size_t length = 1;
};

struct Diagnostic {
  Location where;
  std::string message;
  std::vector<std::string> notes;  // extra lines printed after the caret
};

// Thrown by every stage; carries one or more diagnostics.
class SpecError : public std::runtime_error {
 public:
  explicit SpecError(std::vector<Diagnostic> diagnostics);
  SpecError(Location where, std::string message, std::vector<std::string> notes = {});
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// `name:line:col: error: message`, the source line and a caret line.
std::string render(const Source& source, const Diagnostic& diagnostic);
std::string render(const Source& source, const SpecError& error);

}  // namespace ebpfgen
