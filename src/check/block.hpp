// Checks one `on` block, or one side of a span: its probe against the kernel's
// facts, then the fields, conditions and actions that probe allows, and
// collects what codegen needs (attach points, fields read at the return, map names).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "check/check.hpp"

namespace ebpfgen {

// Throws SpecError. `used_maps` are the result names taken so far, the block's added.
CheckedBlock check_block(const ast::Block& block, const kernel::Facts& facts, SyscallStyle style,
                         std::set<std::string>& used_maps);

// A span's start and end (blocks next to each other, as the parser makes them) key
// alike: as many fields, of the same types, in order. Span names are unique.
void check_spans(const std::vector<CheckedBlock>& blocks);

}  // namespace ebpfgen
