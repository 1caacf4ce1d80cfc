#include "export/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace ebpfgen::exporter {

namespace fs = std::filesystem;

namespace {

fs::path directory_of(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// A new file in `dir` (mkstemp): its name, or an error thrown.
std::string new_file(const fs::path& dir, const std::string& stem, int& fd) {
  std::string temp = (dir / ("." + stem + ".XXXXXX")).string();
  fd = ::mkstemp(temp.data());
  if (fd < 0) throw std::runtime_error(std::strerror(errno));
  return temp;
}

mode_t current_umask() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

}  // namespace

void check_writable_directory(const std::string& dir) {
  int fd = -1;
  std::string probe = new_file(dir.empty() ? fs::path(".") : fs::path(dir), "ebpfgen", fd);
  ::close(fd);
  ::unlink(probe.c_str());
}

void write_atomically(const std::string& path, const std::string& content) {
  int fd = -1;
  std::string temp;
  try {
    temp = new_file(directory_of(path), fs::path(path).filename().string(), fd);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot write " + path + ": " + e.what());
  }
  // The mode of the file it replaces, else what a new file would get (mkstemp makes it 0600).
  struct stat old {};
  mode_t mode = ::stat(path.c_str(), &old) == 0 ? old.st_mode & 07777 : 0666 & ~current_umask();
  ::fchmod(fd, mode);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bool ok = done == content.size() && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  std::error_code ec;
  if (ok) fs::rename(temp, path, ec);
  if (!ok || ec) {
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + (ec ? ec.message() : std::strerror(saved ? saved : EIO)));
  }
}

}  // namespace ebpfgen::exporter
