// What a target is, in words: for --targets, the generated program's header
// and BEGIN line, the report and the exporters' labels. Reads nothing of the host.
#pragma once

#include <string>

#include "spec/ast.hpp"

namespace ebpfgen::target {

// "process 1234 and its threads", "container \"web\", by its mount namespace, ...".
std::string description(const ast::Target& target);

}  // namespace ebpfgen::target
