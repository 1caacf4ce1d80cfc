// The docs' tables of facts that ebpfgen keeps in one table each: they must say
// what the code does, word for word.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "diag/exit_status.hpp"
#include "grammar/errors.hpp"
#include "spec/limits.hpp"
#include "spec/request_metrics.hpp"
#include "target/container.hpp"

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

// The grammar's keywords are compile-time rules; these keep them equal to the tables.
TEST_CASE("the grammar's runtime names are the container runtimes ebpfgen asks") {
  std::string words;
  for (const auto& r : ebpfgen::target::known_runtimes()) words += (words.empty() ? "" : " ") + r;
  CHECK(std::string(ebpfgen::grammar::suggested_words<ebpfgen::grammar::runtime_name>) == words);
  CHECK(std::string(ebpfgen::grammar::error_message<ebpfgen::grammar::runtime_name>) ==
        "expected a container runtime: docker, podman, nerdctl or crictl");
}

TEST_CASE("the grammar's metric names are the catalogue's") {
  std::string listed;
  const auto& all = ebpfgen::request_metric_catalogue();
  for (std::size_t i = 0; i < all.size(); ++i)
    listed += std::string(i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + std::string(all[i].name);
  CHECK(std::string(ebpfgen::grammar::error_message<ebpfgen::grammar::metric_name>) == "expected a metric name: " + listed);
}

TEST_CASE("docs/LANGUAGE.md's table of limits says the limits of spec/limits.hpp") {
  using namespace ebpfgen;
  std::string doc = read_doc("LANGUAGE.md");
  auto row = [&](const std::string& first_cell) {
    auto at = doc.find("\n| " + first_cell + " |");
    REQUIRE_MESSAGE(at != std::string::npos, first_cell);
    return doc.substr(at + 1, doc.find('\n', at + 1) - at - 1);
  };
  auto says = [&](const std::string& first_cell, const std::string& text) {
    std::string what = first_cell + ": " + text;
    CHECK_MESSAGE(row(first_cell).find(text) != std::string::npos, what);
  };
  says("`target pid`", fmt::format("1 to {}", max_pid));
  says("`target comm`, `comm == \"...\"`", fmt::format("1 to {} characters (the kernel keeps {})", max_comm_chars, max_comm_chars));
  says("`starts with \"...\"`", fmt::format("1 to {} bytes, printable; 1 to {} for `comm`", bpftrace_max_string, max_comm_chars));
  says("kprobe/kretprobe function", fmt::format("at most {} characters", max_kernel_symbol));
  says("`duration`, `window`", fmt::format("at most {}h", max_duration_ms / 3'600'000));
  says("`option map_keys`", fmt::format("1 to {}, in decimal", max_map_keys));
  says("`print` values, `by` keys", fmt::format("the probe's {}-byte BPF stack", bpf_stack_limit));
  says("probes of the program", fmt::format("at most {} (bpftrace's `BPFTRACE_MAX_PROBES`)", bpftrace_max_probes));
  says("`runtime`", "`docker`, `podman`, `nerdctl` or `crictl`");
}
