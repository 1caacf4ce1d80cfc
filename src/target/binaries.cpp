#include "target/binaries.hpp"

namespace ebpfgen::target {

namespace {

Binary read_binary(const std::string& name, const symbols::SearchRoot& root, std::map<std::string, Binary>& read) {
  Binary out;
  try {
    out.path = symbols::find_binary(name, root);
    auto it = read.find(out.path);
    if (it == read.end()) it = read.emplace(out.path, Binary{out.path, symbols::read_functions(out.path), std::nullopt}).first;
    return it->second;
  } catch (const symbols::Error& e) {
    out.error = e;
  }
  return out;
}

}  // namespace

std::map<std::size_t, Binary> uprobe_binaries(const CheckedSpec& spec, const symbols::SearchRoot& root) {
  std::map<std::string, Binary> read;
  std::map<std::size_t, Binary> out;
  for (std::size_t i = 0; i < spec.blocks.size(); ++i)
    if (spec.blocks[i].is_uprobe()) out[i] = read_binary(spec.blocks[i].probe.binary.text, root, read);
  return out;
}

Binary c_library(const symbols::SearchRoot& root) {
  std::map<std::string, Binary> read;
  return read_binary("libc", root, read);
}

}  // namespace ebpfgen::target
