// Runs the PEGTL grammar to a parse tree of the selected rules (parse/tree.cpp
// turns it into the AST). Syntax errors come from grammar/errors.hpp.
#include "parse/parse.hpp"

#include <charconv>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "diag/suggest.hpp"
#include "grammar/errors.hpp"
#include "grammar/grammar.hpp"
#include "parse/tree.hpp"

namespace ebpfgen {

namespace {

namespace p = tao::pegtl;
namespace g = grammar;

// The rules that become nodes of the parse tree.
template <typename Rule>
using selector = p::parse_tree::selector<
    Rule,
    p::parse_tree::store_content::on<
        g::target_pid, g::target_comm, g::target_cgroup, g::target_container, g::target_command, g::target_all,
        g::pid_number, g::with_descendants, g::comm_starts_with, g::comm_name, g::cgroup_path, g::container_name, g::runtime_name, g::command_line,
        g::duration_stmt, g::window_stmt, g::duration_value, g::option_stmt, g::option_name, g::option_value,
        g::metrics_stmt, g::metric_name, g::probe_block, g::syscall_probe, g::syscall_name, g::tracepoint_probe,
        g::tracepoint_name, g::uprobe_probe, g::uretprobe_probe, g::kprobe_probe, g::kretprobe_probe,
        g::function_name, g::binary_path, g::profile_probe, g::profile_rate, g::where_clause, g::or_cond,
        g::and_cond, g::not_cond, g::comparison, g::prefix_test, g::prefix_value, g::compare_op, g::socket_test, g::field, g::integer, g::string,
        g::print_action, g::aggregation, g::count_function, g::value_function, g::lhist_function, g::value,
        g::unit, g::key, g::map_name, g::lhist_low, g::lhist_high, g::lhist_step, g::span_block, g::span_name,
        g::span_start, g::span_end, g::span_key_field, g::span_nth_value, g::io_stmt, g::io_exclude, g::io_include,
        g::io_prefix>>;

// Remembers where blocks open, to say which one is left unclosed.
struct OpenBlocks {
  std::vector<p::position> braces;
};

template <typename Rule>
struct track_blocks : p::nothing<Rule> {};

template <>
struct track_blocks<g::block_open> {
  template <typename Input, typename... Rest>
  static void apply(const Input& in, OpenBlocks& blocks, Rest&&... /*tree state*/) {
    blocks.braces.push_back(in.position());
  }
};

template <>
struct track_blocks<g::span_open> : track_blocks<g::block_open> {};

template <>
struct track_blocks<g::block_close> {
  template <typename Input, typename... Rest>
  static void apply(const Input& /*in*/, OpenBlocks& blocks, Rest&&... /*tree state*/) {
    if (!blocks.braces.empty()) blocks.braces.pop_back();
  }
};

// The word at a byte offset, for "did you mean".
std::string word_at(const std::string& text, std::size_t offset) {
  std::size_t end = offset;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
  return text.substr(offset, end - offset);
}

std::vector<std::string> split_words(const char* words) {
  std::istringstream in(words);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

}  // namespace

std::optional<std::uint64_t> parse_duration_text(const std::string& text) {
  p::memory_input in(text, "duration");
  try {
    if (!p::parse<p::seq<g::duration_value, p::eof>>(in)) return std::nullopt;
    return duration_ms(text, {});
  } catch (const SpecError&) {
    return std::nullopt;
  }
}

ast::Spec parse_spec(const Source& source) {
  p::memory_input in(source.text, source.name);
  OpenBlocks blocks;
  try {
    auto root = p::parse_tree::parse<g::spec, selector, track_blocks, g::control>(in, blocks);
    return spec_of_tree(*root);
  } catch (const g::syntax_error& e) {
    const auto& pos = e.positions().front();
    std::string word = word_at(source.text, pos.byte);
    std::string message(e.message());
    if (!word.empty()) message += did_you_mean(word, split_words(e.words));
    std::vector<std::string> notes;
    if (std::string_view(e.message()) == g::error_message<g::block_close> && !blocks.braces.empty()) {
      const auto& open = blocks.braces.back();
      // At the end of the text, the brace left open is the place to show.
      if (source.text.find_first_not_of(" \t\r\n", pos.byte) == std::string::npos) {
        throw SpecError({open.line, open.column, 1}, "this block is not closed: expected '}' before the end of the spec");
      }
      notes.push_back(fmt::format("the block's '{{' is at line {}, column {}", open.line, open.column));
    }
    throw SpecError({pos.line, pos.column, std::max<std::size_t>(1, word.size())}, message, notes);
  }
}

}  // namespace ebpfgen
