#include "codegen/io_prefixes.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

namespace ebpfgen::codegen {

namespace {

// Any of `prefixes` starts the path whose words the program read.
std::string prefix_test(const std::vector<std::string>& prefixes) {
  std::string out;
  for (const auto& p : prefixes) {
    std::string test;
    for (std::size_t at = 0; at < p.size(); at += 4) {
      std::size_t n = std::min<std::size_t>(4, p.size() - at);
      std::uint64_t value = 0, mask = 0;
      for (std::size_t i = 0; i < n; ++i) {
        value |= std::uint64_t(static_cast<unsigned char>(p[at + i])) << (8 * i);
        mask |= std::uint64_t(0xff) << (8 * i);
      }
      std::string word = fmt::format("$w{}", at / 8);
      std::string half = at % 8 == 0 ? fmt::format("({} & 0x{:x})", word, mask)
                                     : fmt::format("(({} >> 32) & 0x{:x})", word, mask);
      test += (test.empty() ? "" : " && ") + fmt::format("{} == 0x{:x}", half, value);
    }
    out += (out.empty() ? "" : " || ") + ("(" + test + ")");
  }
  return out;
}

}  // namespace

std::string prefix_words_read(const IoPosixPlan& plan, const std::string& pointer) {
  std::size_t longest = 0;
  for (const auto* list : {&plan.exclude, &plan.include})
    for (const auto& p : *list) longest = std::max(longest, p.size());
  std::string out;
  for (std::size_t i = 0; i < (longest + 7) / 8; ++i) out += fmt::format("$w{} = *(uint64 *)uptr({} + {});\n", i, pointer, 8 * i);
  return out;
}

std::string recorded_test(const IoPosixPlan& plan) {
  std::string excluded = prefix_test(plan.exclude), included = prefix_test(plan.include);
  if (excluded.empty()) return "1";
  std::string out = "!(" + excluded + ")";
  if (!included.empty()) out += " || " + included;
  return out;
}

}  // namespace ebpfgen::codegen
