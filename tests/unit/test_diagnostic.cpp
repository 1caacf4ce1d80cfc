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
