// Parse stage: spec text -> ast::Spec, or a SpecError with a positioned,
// helpful message. The grammar lives in grammar/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "diag/diagnostic.hpp"
#include "spec/ast.hpp"

namespace ebpfgen {

ast::Spec parse_spec(const Source& source);

// A duration as written in specs ("500ms", "30s", "5m", "1h") in milliseconds,
// or nothing when the text is not one.
std::optional<std::uint64_t> parse_duration_text(const std::string& text);

}  // namespace ebpfgen
