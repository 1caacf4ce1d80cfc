// Text in the HTML report: whatever the spec, the system or bpftrace wrote,
// made printable and escaped before it reaches the page.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ebpfgen::exporter {

// & < > " ' as entities.
std::string entities(std::string_view text);
// Control bytes and bytes that are not UTF-8 as \xNN, invisible code points (C1
// controls, bidirectional overrides) as \uNNNN; newlines and tabs kept when `keep_lines`.
std::string printable(std::string_view text, bool keep_lines);
// At most `limit` characters of `text` (already printable), "…" after a cut.
std::string truncated(const std::string& text, std::size_t limit);
// A legend's or a label's text: printable, cut to `limit` characters, escaped.
std::string short_text(const std::string& text, std::size_t limit);

}  // namespace ebpfgen::exporter
