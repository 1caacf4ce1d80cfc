#include "export/html_text.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "export/html.hpp"

namespace ebpfgen::exporter {

namespace {

// The length of the UTF-8 sequence at `s[i]`, or 0 when it is not one (overlong
// forms, surrogates and code points past U+10FFFF are not).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = at(i);
  std::size_t n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the second byte's range
  if (b == 0xe0) lo = 0xa0;
  if (b == 0xed) hi = 0x9f;
  if (b == 0xf0) lo = 0x90;
  if (b == 0xf4) hi = 0x8f;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) return 0;
  return n;
}

std::uint32_t code_point(std::string_view s, std::size_t i, std::size_t n) {
  auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[k])); };
  std::uint32_t c = at(i) & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
  for (std::size_t k = 1; k < n; ++k) c = (c << 6) | (at(i + k) & 0x3f);
  return c;
}

// Invisible code points that would change how the text around them reads:
// C1 controls and the bidirectional overrides.
bool invisible(std::uint32_t c) {
  return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

// At most `limit` characters of `text`, "…" after a cut (of text already made printable).
std::string truncated(const std::string& text, std::size_t limit) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++chars) {
    if (chars == limit) return text.substr(0, i) + "\u2026";
    std::size_t n = utf8_length(text, i);
    i += n ? n : 1;
  }
  return text;
}

// Text as it is shown, before HTML escaping: control bytes and bytes that are not UTF-8 as \xNN.
std::string printable(std::string_view text, bool keep_lines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      if ((b < 0x20 || b == 0x7f) && !(keep_lines && (b == '\n' || b == '\t'))) out += fmt::format("\\x{:02x}", b);
      else out += text[i];
      ++i;
      continue;
    }
    std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", b);
      ++i;
    } else if (std::uint32_t c = code_point(text, i, n); invisible(c)) {
      out += fmt::format("\\u{:04x}", c);
      i += n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// A legend's or a label's text: printable, cut to `limit` characters, escaped.
std::string short_text(const std::string& text, std::size_t limit) { return entities(truncated(printable(text, false), limit)); }

std::string html_text(std::string_view text, bool keep_lines) { return entities(printable(text, keep_lines)); }

}  // namespace ebpfgen::exporter
