#include "target/mounts.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ebpfgen::target {

namespace {

// Mount points escape blanks, tabs, newlines and backslashes as octal (\040).
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() + 0 && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<Mount> parse_mountinfo(const std::string& text) {
  std::vector<Mount> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> w{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    auto dash = std::find(w.begin(), w.end(), "-");
    if (w.size() < 5 || dash == w.end() || dash + 1 == w.end()) continue;
    out.push_back({unescape(w[4]), *(dash + 1)});
  }
  return out;
}

const Mount* mount_of(const std::vector<Mount>& mounts, const std::string& path) {
  const Mount* best = nullptr;
  for (const auto& m : mounts) {  // a later mount on the same point hides an earlier one
    bool under = m.point == "/" ? path.starts_with("/")
                                : path.starts_with(m.point) && (path.size() == m.point.size() || path[m.point.size()] == '/');
    if (under && (!best || m.point.size() >= best->point.size())) best = &m;
  }
  return best;
}

std::map<std::int64_t, std::vector<Mount>> mount_tables(const std::set<std::int64_t>& pids) {
  std::vector<Mount> own = parse_mountinfo(read_file("/proc/self/mountinfo"));
  std::map<std::int64_t, std::vector<Mount>> out;
  for (auto pid : pids) {
    std::string text = read_file("/proc/" + std::to_string(pid) + "/mountinfo");
    out[pid] = text.empty() ? own : parse_mountinfo(text);
  }
  return out;
}

}  // namespace ebpfgen::target
