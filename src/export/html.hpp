// `--report FILE.html`: one self-contained page of a run (docs/EXPORT.md): its
// summary, the spec's text, a line chart of every per-window series and a
// bar chart of every histogram, drawn as plain SVG. No script, no font, no
// style sheet or image from elsewhere: the page needs no network to be read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "check/check.hpp"
#include "diag/diagnostic.hpp"
#include "report/format.hpp"
#include "report/window.hpp"

namespace ebpfgen::exporter {

// At most this many keys of a keyed map get a line (or a histogram) of their own:
// the largest over the run; the page names the others.
inline constexpr std::size_t html_keys_shown = 10;

// The page: `windows` as reported, `run` their merge (the summary's window).
std::string html_report(const CheckedSpec& spec, const Source& source, const std::vector<report::Window>& windows,
                        const report::Window& run, const report::RunFacts& facts);

// Text from the spec, the system or bpftrace, safe in HTML text and in a quoted
// attribute: & < > " ' as entities; control bytes, and bytes that are not UTF-8,
// as \xNN (newlines and tabs kept when `keep_lines`).
std::string html_text(std::string_view text, bool keep_lines = false);

}  // namespace ebpfgen::exporter
