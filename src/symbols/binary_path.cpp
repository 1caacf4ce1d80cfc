#include "symbols/binary_path.hpp"

#include <cstdlib>

#include <sys/stat.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "symbols/elf_symbols.hpp"

namespace ebpfgen::symbols {

namespace {

const std::vector<std::string> library_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
                                               "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"};

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// Printable in a message even when the name holds control characters.
std::string shown(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return in_quotes(out);
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool has_dotdot(std::string_view path) {
  auto parts = split(path, '/');
  return std::find(parts.begin(), parts.end(), "..") != parts.end();
}

// Paths end up in a bpftrace program and in file lookups, so only plain path
// characters get that far, whether the spec or a search produced them.
bool is_plain(std::string_view path) {
  return std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != '\0' && std::strchr("._+/-", c) != nullptr);
  });
}

// /proc/self/exe, /proc/thread-self/..., /dev/fd/N: paths whose file depends on the
// process that opens it. ebpfgen would read its own, bpftrace (which opens the path
// again when it attaches) its own.
bool is_per_process(std::string_view path) {
  std::vector<std::string> parts;
  for (auto& part : split(path, '/'))
    if (!part.empty() && part != ".") parts.push_back(part);
  if (parts.size() >= 2 && parts[0] == "proc" && (parts[1] == "self" || parts[1] == "thread-self")) return true;
  return parts.size() >= 2 && parts[0] == "dev" &&
         (parts[1] == "fd" || parts[1] == "stdin" || parts[1] == "stdout" || parts[1] == "stderr");
}

void validate(std::string_view name) {
  if (name.empty()) throw Error("the binary name is empty");
  if (!is_plain(name)) throw Error("binary name " + shown(name) + " may only use letters, digits and . _ + - /");
  if (has_dotdot(name)) throw Error("binary name " + shown(name) + " must not contain '..'");
  if (is_per_process(name)) {
    throw Error(shown(name) + " is a different file for each process that opens it: ebpfgen would read its own, and "
                "bpftrace, which opens it again to attach, its own; give the binary's own path");
  }
}

// `path` inside `root` with its symbolic links followed there. The kernel would
// follow an absolute link (/usr/bin/java -> /etc/alternatives/java) from our own
// root, not from the container's.
std::string inside(const std::string& root, std::string_view path) {
  std::deque<std::string> rest;
  for (auto& part : split(path, '/')) rest.push_back(part);
  std::string resolved;
  for (int links = 0; !rest.empty();) {
    std::string part = rest.front();
    rest.pop_front();
    if (part.empty() || part == ".") continue;
    if (part == "..") {  // never above the root
      resolved.resize(resolved.rfind('/') == std::string::npos ? 0 : resolved.rfind('/'));
      continue;
    }
    std::string candidate = resolved + "/" + part;
    char target[4096];
    ssize_t n = ::readlink((root + candidate).c_str(), target, sizeof target);
    if (n < 0 || n == sizeof target || ++links > 40) {  // not a link (or a loop): taken as it is
      resolved = candidate;
      continue;
    }
    std::string_view link(target, static_cast<std::size_t>(n));
    auto parts = split(link, '/');
    rest.insert(rest.begin(), parts.begin(), parts.end());
    if (link.starts_with("/")) resolved.clear();
  }
  return resolved.empty() ? "/" : resolved;
}

std::string under(const SearchRoot& where, std::string_view path) {
  std::string root = where.root;
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root.empty() ? std::string(path) : root + inside(root, path);
}

std::string root_suffix(const SearchRoot& where) {
  return where.root.empty() || where.root == "/" ? "" : " under " + where.root;
}

bool is_regular(const std::string& path, bool executable = false) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (!executable || (st.st_mode & 0111) != 0);
}

// Skips linker scripts such as the "libc.so" text file.
bool is_elf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

bool is_library(std::string_view name) {
  if (!name.starts_with("lib")) return false;
  return name.ends_with(".so") || name.find(".so.") != std::string_view::npos ||
         name.find('.') == std::string_view::npos;
}

// 0 for the name itself, 1 for "NAME.so...", 2 for "NAME-..." (e.g. libc-2.31.so), -1 for no match.
int library_rank(std::string_view file, std::string_view name) {
  if (file == name) return 0;
  if (file.starts_with(name)) {
    auto rest = file.substr(name.size());
    if (rest.starts_with(".so")) return 1;
    if (rest.starts_with("-")) return 2;
  }
  return -1;
}

std::optional<std::string> from_maps(std::string_view name, const SearchRoot& where) {
  std::ifstream maps("/proc/" + std::to_string(*where.pid) + "/maps");
  std::optional<std::string> best;
  int best_rank = 3;
  std::string line;
  while (std::getline(maps, line)) {
    // "start-end perms offset dev inode   /path", the path may hold blanks.
    std::istringstream fields(line);
    std::string skip, path;
    for (int i = 0; i < 5; ++i) fields >> skip;
    std::getline(fields >> std::ws, path);
    if (!path.starts_with("/") || !is_plain(path) || has_dotdot(path)) continue;  // also "... (deleted)"
    int rank = library_rank(path.substr(path.rfind('/') + 1), name);
    if (rank >= 0 && rank < best_rank) {
      best_rank = rank;
      best = under(where, path);
    }
  }
  return best;
}

std::optional<std::string> from_library_dirs(std::string_view name, const SearchRoot& where) {
  for (const auto& dir : library_dirs) {
    std::vector<std::pair<int, std::string>> found;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(under(where, dir), ec), end; !ec && it != end; it.increment(ec)) {
      std::string file = it->path().filename().string();
      int rank = library_rank(file, name);
      std::string path = it->path().string();
      if (rank >= 0 && is_plain(path) && is_regular(path) && is_elf(path)) found.emplace_back(rank, path);
    }
    if (!found.empty()) return std::min_element(found.begin(), found.end())->second;
  }
  return std::nullopt;
}

// PATH of the process; without one, ebpfgen's own (a command it launches inherits it), or
// the default one under another root or when ebpfgen has none.
std::string search_path(const SearchRoot& where) {
  if (!where.pid) {
    const char* own = std::getenv("PATH");
    return where.root == "/" && own && *own ? std::string(own) : std::string(default_path);
  }
  std::ifstream environ("/proc/" + std::to_string(*where.pid) + "/environ", std::ios::binary);
  std::string entry;
  while (std::getline(environ, entry, '\0')) {
    if (entry.starts_with("PATH=")) return entry.substr(5);
  }
  return std::string(default_path);
}

std::optional<std::string> from_path(std::string_view name, const std::string& path, const SearchRoot& where) {
  for (const auto& dir : split(path, ':')) {
    // Relative entries depend on the process's working directory.
    if (!dir.starts_with("/") || !is_plain(dir) || has_dotdot(dir)) continue;
    std::string candidate = under(where, dir + (dir.ends_with("/") ? "" : "/") + std::string(name));
    if (is_regular(candidate, true)) return candidate;
  }
  return std::nullopt;
}

std::string library_places(const SearchRoot& where) {
  std::string dirs;
  for (const auto& dir : library_dirs) dirs += (dirs.empty() ? "" : ", ") + dir;
  std::string maps = where.pid ? "the files mapped by pid " + std::to_string(*where.pid) + " or " : "";
  return maps + dirs + root_suffix(where);
}

std::string path_place(const std::string& path, const SearchRoot& where) {
  std::string whose = where.pid ? "the PATH of pid " + std::to_string(*where.pid) : "PATH";
  return whose + " (" + path + ")" + root_suffix(where);
}

}  // namespace

namespace {

std::string find_unchecked(std::string_view name, const SearchRoot& where);

}  // namespace

std::string find_binary(std::string_view name, const SearchRoot& where) {
  validate(name);
  std::string path = find_unchecked(name, where);
  // A link inside a container may point anywhere: what reaches the program is checked again.
  if (!is_plain(path) || has_dotdot(path)) throw Error("the binary " + shown(name) + " is at " + shown(path) +
                                                       ", a path with characters other than letters, digits and . _ + - /");
  return path;
}

namespace {

std::string find_unchecked(std::string_view name, const SearchRoot& where) {
  if (name.starts_with("/")) {
    std::string path = under(where, name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw Error("cannot find " + in_quotes(path) + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw Error(in_quotes(path) + " is not a regular file");
    return path;
  }
  if (name.find('/') != std::string_view::npos) {
    throw Error("give an absolute path instead of " + in_quotes(name) + ", or a bare program name to look up in PATH");
  }
  if (is_library(name)) {
    if (where.pid) {
      if (auto found = from_maps(name, where)) return *found;
    }
    if (auto found = from_library_dirs(name, where)) return *found;
    // "libtool" and the like are programs: a bare name may be either.
    if (name.find('.') != std::string_view::npos) {
      throw Error("cannot find library " + in_quotes(name) + " in " + library_places(where));
    }
    std::string path = search_path(where);
    if (auto found = from_path(name, path, where)) return *found;
    throw Error("cannot find " + in_quotes(name) + " as a library in " + library_places(where) +
                ", nor as a program in " + path_place(path, where));
  }
  std::string path = search_path(where);
  if (auto found = from_path(name, path, where)) return *found;
  throw Error("cannot find program " + in_quotes(name) + " in " + path_place(path, where));
}

}  // namespace

}  // namespace ebpfgen::symbols
