#include "check/stack.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "codegen/plan.hpp"

namespace ebpfgen {

namespace {

// What a printf's arguments and a map update's keys take on the BPF stack of a bpftrace
// 0.17 program, measured against bpftrace 0.17 (`bpftrace --emit-elf`, and the frame LLVM
// laid out, read from the ELF). The measured limits: a printf of 62 numbers fits and one
// of 63 does not; of str() strings 6 and 7; of comm 30 and 31; map keys of 62 numbers fit
// and of 63 do not. One rule fits all of them:
//   16 bytes for the statement, plus each value's own bytes, rounded up to 8 (8 for a
//   number, pointer, stack, probe or ksym; 16 for comm; N for char[N]; a string literal
//   its length with the NUL; 64 for a string read with str() or saved at entry);
//   plus one buffer for the largest text the probe reads, shared by all its statements
//   (64 for str(), 16 for comm, N for char[N]), 8 bytes less in a map key.
// What a probe adds to each of its statements:
//   a predicate that compares more than one text adds the buffers of the others (of the
//   condition's own, its two largest);
//   the return probe of a paired block: 8 for a comm target, 16 for a condition on comm,
//   64 for each string saved at entry and 160 (instead of a str()'s 64) to read them
//   back, 8 for the latency beside other statements;
//   8 more for a print in a probe that also updates a map, for hist(), lhist() and
//   stats(), for a statement that reads a syscall's argument from its registers (kprobe
//   style), and for an aggregated value beside two or more numbers saved at entry.
// Against the frames of about 1200 random programs near the limit, this is exact for two
// thirds and at most 8 bytes over for most of the rest; a few paired blocks with several
// statements need 8 to 40 bytes more than estimated (LLVM's register spills), which
// bpftrace reports itself.
constexpr std::size_t statement_bytes = 16;
constexpr std::size_t number_bytes = 8;
constexpr std::size_t string_bytes = bpftrace_strlen;
constexpr std::size_t comm_bytes = task_comm_len;
constexpr std::size_t saved_string_buffer = 160;  // a string read back from a map, where str() needs 64
constexpr std::size_t key_buffer_discount = 8;    // a map key needs 8 bytes less of the text buffer
constexpr std::size_t extra_bytes = 8;            // a print beside a map update; hist/lhist/stats; registers
constexpr std::size_t syscall_literal = 31;       // the padded `syscall` literal (codegen's padded_literal)
constexpr std::size_t longest_label = bpftrace_max_string;         // a uprobe's `func`, cut to fit bpftrace's strings

std::size_t rounded(std::size_t bytes) { return (bytes + 7) / 8 * 8; }

struct Item {
  std::size_t bytes = number_bytes;
  std::size_t buffer = 0;  // the text buffer it is read into first
  bool registers = false;  // a syscall argument read from pt_regs (kprobe style)
};

// char[16] -> 16; 64 when the format states no size.
std::size_t array_size(const std::string& type) {
  auto open = type.rfind('[');
  std::size_t n = 0;
  for (std::size_t i = open == std::string::npos ? type.size() : open + 1; i < type.size() && std::isdigit(static_cast<unsigned char>(type[i])); ++i) {
    n = n * 10 + static_cast<std::size_t>(type[i] - '0');
    if (n > string_bytes) return string_bytes;
  }
  return n == 0 ? string_bytes : n;
}

Item stack_item(const FieldRef& ref, const CheckedBlock& block, const CheckedSpec& spec) {
  Item item;
  bool from_registers = ref.kind == FieldKind::Arg && spec.style == SyscallStyle::Kprobe &&
                        block.context.kind == ast::ProbeKind::Syscall && !block.paired;
  if (ref.type != ValueType::String) {
    item.registers = from_registers;
    return item;
  }
  switch (ref.kind) {
    case FieldKind::SyscallName: item.bytes = rounded(syscall_literal + 1); break;
    case FieldKind::FunctionName: {
      std::size_t longest = block.labels.empty() ? longest_label : 0;
      for (const auto& label : block.labels) longest = std::max(longest, label.size());
      item.bytes = rounded(longest + 1);
      break;
    }
    case FieldKind::Builtin:
      if (ref.builtin == "comm") item.bytes = item.buffer = comm_bytes;  // probe and a kprobe's func: 8 bytes
      break;
    case FieldKind::Arg:
      if (ref.is_user_string) {
        item.bytes = string_bytes;
        if (!block.paired) {  // a paired block's return reads it back from its entry's map (plan_block)
          item.buffer = string_bytes;
          item.registers = from_registers;
        }
      } else {  // char[N], read from the record
        item.bytes = item.buffer = rounded(array_size(ref.c_type));
      }
      break;
    default: break;
  }
  return item;
}

// Calls `use` with each field a condition compares.
template <typename Use>
void for_each_compared(const CheckedCondition& c, Use&& use) {
  if (c.kind == ast::Condition::Kind::Compare) {
    for (const auto* operand : {&c.lhs, &c.rhs})
      if (operand->field) use(*operand->field);
  }
  for (const auto& child : c.children) for_each_compared(child, use);
}

// The text buffers the comparisons of a condition read into: comm 16, a str() 64,
// char[N] N, each comparison once.
void text_compares(const CheckedCondition& c, const CheckedBlock& block, const CheckedSpec& spec,
                   std::vector<std::size_t>& out) {
  if (c.kind == ast::Condition::Kind::Compare) {
    std::size_t buffer = 0;
    for (const auto* operand : {&c.lhs, &c.rhs})
      if (operand->field) buffer = std::max(buffer, stack_item(*operand->field, block, spec).buffer);
    if (buffer) out.push_back(buffer);
  }
  for (const auto& child : c.children) text_compares(child, block, spec, out);
}

// The predicate of a probe that tests text: the first comparison's buffer shares the
// statements' space, the others add to it (of the condition's, the two largest, which
// bpftrace 0.17's code reuses from there on).
std::size_t predicate_bytes(const CheckedBlock& block, const CheckedSpec& spec) {
  std::vector<std::size_t> buffers;
  if (block.where) text_compares(*block.where, block, spec, buffers);
  std::sort(buffers.rbegin(), buffers.rend());
  if (buffers.size() > 2) buffers.resize(2);
  if (spec.target.kind == ast::TargetKind::Comm) buffers.push_back(comm_bytes);
  if (buffers.size() < 2) return 0;
  std::size_t total = 0, largest = 0;
  for (auto b : buffers) {
    total += b;
    largest = std::max(largest, b);
  }
  return total - largest;
}

struct Statement {
  std::size_t bytes = 0;
  Location where;
  bool print = false;
  std::string function;  // of an aggregation
};

// What one action puts on the stack: its printed values or keys, and whether it reads a
// syscall's argument from its registers.
struct ActionItems {
  std::vector<Item> items;
  bool registers = false;
};

ActionItems action_items(const CheckedAction& action, const CheckedBlock& block, const CheckedSpec& spec) {
  ActionItems out;
  auto add = [&](const CheckedOperand& operand) {
    if (!operand.field) return;
    out.items.push_back(stack_item(*operand.field, block, spec));
    out.registers = out.registers || out.items.back().registers;
  };
  if (const auto* print = std::get_if<CheckedPrint>(&action)) {
    for (const auto& item : print->items) add(item);
  } else {
    const auto& agg = std::get<CheckedAggregation>(action);
    for (const auto& key : agg.keys) add(key);
    if (agg.value) out.registers = out.registers || stack_item(*agg.value->field, block, spec).registers;
  }
  return out;
}

// What every statement of the block's probe shares or pays.
struct ProbeCosts {
  std::size_t buffer = 0;       // the text buffer the statements share
  std::size_t whole_probe = 0;  // what every statement pays
  std::size_t saved_numbers = 0;
};

ProbeCosts probe_costs(const CheckedBlock& block, const CheckedSpec& spec, const std::vector<ActionItems>& items) {
  ProbeCosts out;
  for (const auto& action : items)
    for (const auto& item : action.items) out.buffer = std::max(out.buffer, item.buffer);
  // The arguments codegen saves at entry and reads back at the return: strings and numbers.
  const codegen::BlockPlan plan = codegen::plan_block(block);
  std::size_t saved = 0, saved_numbers = 0;
  bool latency = false;
  if (block.paired) {
    // The return probe tests the target's filter in its predicate, and the condition in its body.
    if (spec.target.kind == ast::TargetKind::Comm) out.buffer = std::max(out.buffer, comm_bytes - key_buffer_discount);
    bool compares_comm = false;
    if (block.where) {
      for_each_compared(*block.where, [&](const FieldRef& ref) {
        compares_comm = compares_comm || (ref.kind == FieldKind::Builtin && ref.builtin == "comm");
      });
    }
    if (compares_comm) out.whole_probe += comm_bytes;
    latency = plan.latency;
    for (const auto& arg : plan.saved) (arg.type == ValueType::String ? saved : saved_numbers) += 1;
  } else {
    out.buffer = std::max(out.buffer, predicate_bytes(block, spec));
  }
  // The latency, computed first, stays live across the helper calls of the statements after it.
  if (block.paired && latency && block.actions.size() >= 2) out.whole_probe += extra_bytes;
  if (saved > 0) {
    out.buffer = saved_string_buffer + (out.buffer > key_buffer_discount ? out.buffer - key_buffer_discount : 0);
    out.whole_probe += saved * string_bytes + (latency ? extra_bytes : 0);
  }
  out.saved_numbers = saved_numbers;
  return out;
}

// Every print and keyed aggregation of the block, with its estimate.
std::vector<Statement> statements(const CheckedBlock& block, const CheckedSpec& spec) {
  std::vector<ActionItems> items;
  for (const auto& action : block.actions) items.push_back(action_items(action, block, spec));
  bool updates_maps = !block.aggregations().empty();
  ProbeCosts costs = probe_costs(block, spec, items);
  std::vector<Statement> out;
  for (std::size_t i = 0; i < block.actions.size(); ++i) {
    Statement s;
    std::size_t values = 0;
    for (const auto& item : items[i].items) values += rounded(item.bytes);
    if (const auto* print = std::get_if<CheckedPrint>(&block.actions[i])) {
      s.print = true;
      s.where = print->where;
      s.bytes = statement_bytes + values + costs.buffer + (updates_maps ? extra_bytes : 0);
    } else {
      const auto& agg = std::get<CheckedAggregation>(block.actions[i]);
      if (agg.keys.empty()) continue;
      s.where = agg.where;
      s.function = std::string(info_of(agg.function).name);
      s.bytes = statement_bytes + values + (costs.buffer > key_buffer_discount ? costs.buffer - key_buffer_discount : 0) +
                (info_of(agg.function).buckets ? extra_bytes : 0);
      // Numbers saved at entry that stay live across the helper calls of a value's update.
      if (agg.value && costs.saved_numbers >= 2) s.bytes += extra_bytes;
    }
    s.bytes += costs.whole_probe + (items[i].registers ? extra_bytes : 0);
    out.push_back(s);
  }
  return out;
}

}  // namespace

std::size_t stack_estimate(const CheckedBlock& block, const CheckedSpec& spec) {
  std::size_t most = 0;
  for (const auto& s : statements(block, spec)) most = std::max(most, s.bytes);
  return most;
}

void check_stack(const CheckedBlock& block, const CheckedSpec& spec) {
  for (const auto& s : statements(block, spec)) {
    if (s.bytes <= bpf_stack_limit) continue;
    std::string what = s.print ? "this print needs" : fmt::format("the keys of this {} need", s.function);
    throw SpecError(s.where,
                    fmt::format("{} about {} bytes of BPF stack, over the {} a BPF program has (bpftrace 0.17: \"BPF "
                                "stack limit of {} bytes is exceeded\")",
                                what, s.bytes, bpf_stack_limit, bpf_stack_limit),
                    {"as measured with bpftrace 0.17: 16 bytes, 8 for each number, 16 for each comm, 64 for each "
                     "string, and one buffer for the longest text the probe reads",
                     s.print ? "print fewer fields, or split them over several prints" : "use fewer keys"});
  }
}

}  // namespace ebpfgen
