#include "diag/diagnostic.hpp"

#include <fmt/format.h>

namespace ebpfgen {

SpecError::SpecError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(diagnostics.empty() ? "spec error" : diagnostics.front().message),
      diagnostics_(std::move(diagnostics)) {}

SpecError::SpecError(Location where, std::string message, std::vector<std::string> notes)
    : SpecError(std::vector<Diagnostic>{{where, std::move(message), std::move(notes)}}) {}

namespace {

std::string line_text(const std::string& text, std::size_t line) {
  std::size_t start = 0;
  for (std::size_t n = 1; n < line; ++n) {
    start = text.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  std::size_t end = text.find_first_of("\r\n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Control characters would garble the terminal; show them as '?'.
std::string printable(std::string s) {
  for (char& c : s) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
  }
  return s;
}

}  // namespace

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string shown(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) out += fmt::format("\\x{:02x}", byte);
    else out += c;
  }
  return out;
}

std::string shown_lines(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) return out + shown(text.substr(start));
    bool kept = end + 1 == text.size() || text[end + 1] == ' ';
    out += shown(text.substr(start, end - start)) + (kept ? "\n" : "\\x0a");
    start = end + 1;
  }
  return out;
}

std::string render(const Source& source, const Diagnostic& d) {
  std::string out =
      fmt::format("{}:{}:{}: error: {}\n", shown(source.name), d.where.line, d.where.column, shown(d.message));
  std::string line = printable(line_text(source.text, d.where.line));
  out += "  " + line + "\n  ";
  // Keep tabs in the caret line so the caret lines up under tabbed text.
  for (std::size_t i = 0; i + 1 < d.where.column && i < line.size(); ++i) out += line[i] == '\t' ? '\t' : ' ';
  out += '^';
  std::size_t tail = d.where.column - 1 + d.where.length;
  for (std::size_t i = d.where.column; i < tail && i < line.size(); ++i) out += '~';
  out += '\n';
  for (const auto& note : d.notes) out += "  note: " + shown(note) + "\n";
  return out;
}

std::string render(const Source& source, const SpecError& error) {
  std::string out;
  for (const auto& d : error.diagnostics()) out += render(source, d);
  return out;
}

}  // namespace ebpfgen
