// The docs' tables of facts that ebpfgen keeps in one table each: they must say
// what the code does, word for word.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "diag/exit_status.hpp"

namespace {

std::string read_doc(const std::string& relative) {
  std::ifstream in(std::string(DOCS_DIR) + "/" + relative);
  REQUIRE_MESSAGE(in, relative);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("the exit statuses in README.md and docs/LANGUAGE.md are the table's") {
  std::string table = ebpfgen::exit_status_table();
  CHECK(read_doc("../README.md").find(table) != std::string::npos);
  CHECK(read_doc("LANGUAGE.md").find(table) != std::string::npos);
}

TEST_CASE("--help lists every exit status") {
  std::string help = ebpfgen::exit_status_help();
  CHECK(help.starts_with("Exit status: 0 success, 1 errors in the spec, 2 usage errors; --run: 3 bpftrace missing"));
  for (const auto& s : ebpfgen::exit_statuses()) {
    std::string brief(s.brief);
    // The brief may be wrapped over two lines.
    std::string unwrapped = help;
    for (auto& c : unwrapped) c = c == '\n' ? ' ' : c;
    CHECK_MESSAGE(unwrapped.find(std::to_string(s.status) + " " + brief) != std::string::npos, brief);
  }
}
