#include "run/aot.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/process.hpp>
#include <fmt/format.h>

#include "run/bpftrace.hpp"

namespace ebpfgen::run {

namespace bp = boost::process;
namespace fs = std::filesystem;

namespace {

// FNV-1a: a stable 64-bit name for a program's text (std::hash may change between builds).
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

std::string aot_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') return std::string(xdg) + "/ebpfgen";
  if (const char* home = std::getenv("HOME"); home && *home == '/') return std::string(home) + "/.cache/ebpfgen";
  return "/var/cache/ebpfgen";
}

std::optional<std::string> aot_compiled(const std::string& program, const std::string& program_path,
                                        const std::string& bpftrace, const std::string& version_line,
                                        std::string& why) {
  // What bpftrace 0.17's AOT refuses, known before trying.
  for (const char* refused : {"curtask", "$1", "(struct "}) {
    if (program.find(refused) != std::string::npos) {
      why = fmt::format("bpftrace 0.17 cannot compile a program with '{}' ahead of time", refused);
      return std::nullopt;
    }
  }
  if (bp::search_path("bpftrace-aotrt").empty()) {
    why = "bpftrace-aotrt is not installed";
    return std::nullopt;
  }
  try {
    fs::path dir = aot_cache_dir();
    fs::path file = dir / fmt::format("{:016x}.aot", fnv1a(version_line + "\n" + program));
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) return file.string();
    fs::create_directories(dir, ec);
    fs::path temp = dir / fmt::format(".{:016x}.{}.tmp", fnv1a(program), ::getpid());
    bp::ipstream err;
    bp::child compile(bp::search_path(bpftrace).empty() ? boost::filesystem::path(bpftrace) : bp::search_path(bpftrace),
                      "--aot", temp.string(), program_path, bp::std_out > bp::null, bp::std_err > err,
                      bp::std_in < bp::null);
    std::string line, errors;
    while (std::getline(err, line))
      if (!is_noise(line)) errors += (errors.empty() ? "" : "; ") + line;
    compile.wait();
    if (compile.exit_code() != 0 || !fs::is_regular_file(temp, ec)) {
      fs::remove(temp, ec);
      why = "bpftrace --aot failed: " + errors;
      return std::nullopt;
    }
    fs::rename(temp, file);  // whole or not at all, even with runs side by side
    return file.string();
  } catch (const std::exception& e) {
    why = std::string("cannot compile ahead of time: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace ebpfgen::run
