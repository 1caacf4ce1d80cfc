#include <doctest/doctest.h>

#include "diag/diagnostic.hpp"

using ebpfgen::Diagnostic;
using ebpfgen::render;
using ebpfgen::Source;

TEST_CASE("a diagnostic shows file:line:col, the line and a caret under the text") {
  Source src{"spec.obs", "target pid 1\non syscall reed { count }\n"};
  Diagnostic d{{2, 12, 4}, "unknown syscall 'reed'", {"a note"}};
  CHECK(render(src, d) ==
        "spec.obs:2:12: error: unknown syscall 'reed'\n"
        "  on syscall reed { count }\n"
        "             ^~~~\n"
        "  note: a note\n");
}

TEST_CASE("tabs before the error are kept so the caret lines up") {
  Source src{"s", "\ton x\n"};
  CHECK(render(src, Diagnostic{{1, 5, 1}, "m", {}}) == "s:1:5: error: m\n  \ton x\n  \t   ^\n");
}

TEST_CASE("control characters in the source line are shown as '?'") {
  Source src{"s", "a\x1b[2Jb\n"};
  CHECK(render(src, Diagnostic{{1, 1, 1}, "m", {}}) == "s:1:1: error: m\n  a?[2Jb\n  ^\n");
}

TEST_CASE("text from the system reaches the terminal with its control bytes escaped") {
  CHECK(ebpfgen::shown("\x1b[31mred\x07") == "\\x1b[31mred\\x07");
  CHECK(ebpfgen::shown("tab\there\x7f") == "tab\\x09here\\x7f");
  CHECK(ebpfgen::shown("caf\xc3\xa9 ::operator()") == "caf\xc3\xa9 ::operator()");  // UTF-8 stays
  // A stack's frames stay one a line; a newline that would start a line at the margin does not.
  CHECK(ebpfgen::shown_lines("\n    read_zero+119\n    vfs_read+187\n") == "\n    read_zero+119\n    vfs_read+187\n");
  CHECK(ebpfgen::shown_lines("x\n@fake: 1\n\x1b[2J") == "x\\x0a@fake: 1\\x0a\\x1b[2J");
  CHECK(ebpfgen::shown_lines("") == "");
  Source source{"bad\x1b.obs", "metrics rps"};
  CHECK(render(source, Diagnostic{{1, 1, 1}, "no \x1b[2J here", {"note\x07"}}) ==
        "bad\\x1b.obs:1:1: error: no \\x1b[2J here\n  metrics rps\n  ^\n  note: note\\x07\n");
}
