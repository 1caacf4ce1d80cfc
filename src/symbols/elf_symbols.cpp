#include "symbols/elf_symbols.hpp"

#include <cxxabi.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

namespace ebpfgen::symbols {

namespace {

struct FileCloser {
  int fd;
  ~FileCloser() { ::close(fd); }
};

struct ElfCloser {
  void operator()(Elf* elf) const { elf_end(elf); }
};

bool is_function(const GElf_Sym& sym) {
  int type = GELF_ST_TYPE(sym.st_info);
  return (type == STT_FUNC || type == STT_GNU_IFUNC) && sym.st_shndx != SHN_UNDEF && sym.st_value != 0;
}

// A ".cold" symbol is the out-of-line tail of another function, not an entry point.
bool is_cold_part(std::string_view name) {
  auto dot = name.find(".cold");
  return dot != std::string_view::npos && (dot + 5 == name.size() || name[dot + 5] == '.');
}

void add_table(Elf* elf, Elf_Scn* section, const GElf_Shdr& header, std::map<std::string, Function>& out) {
  Elf_Data* data = elf_getdata(section, nullptr);
  if (data == nullptr || header.sh_entsize == 0) return;
  std::size_t count = header.sh_size / header.sh_entsize;
  for (std::size_t i = 0; i < count; ++i) {
    GElf_Sym sym;
    if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr || !is_function(sym)) continue;
    const char* raw = elf_strptr(elf, header.sh_link, sym.st_name);
    if (raw == nullptr || *raw == '\0') continue;
    std::string name(raw);
    if (auto at = name.find('@'); at != std::string::npos) name.resize(at);  // "foo@@VERSION"
    if (name.empty() || is_cold_part(name) || out.contains(name)) continue;
    out.emplace(name, Function{name, demangle(name), sym.st_value, sym.st_size});
  }
}

}  // namespace

std::string demangle(std::string_view name) {
  std::string text(name);
  if (!text.starts_with("_Z")) return text;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(text.c_str(), nullptr, nullptr, &status),
                                                   &std::free);
  return status == 0 && out ? std::string(out.get()) : text;
}

std::vector<Function> read_functions(const std::string& path) {
  if (elf_version(EV_CURRENT) == EV_NONE) throw Error(std::string("libelf is unusable: ") + elf_errmsg(-1));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  FileCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw Error("'" + path + "' is not a regular file");

  std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd, ELF_C_READ, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) throw Error("'" + path + "' is not an ELF file");

  // .symtab first: it has the local functions too; .dynsym only adds what a stripped binary still exports.
  std::map<std::string, Function> found;
  bool has_table = false;
  for (Elf64_Word type : {SHT_SYMTAB, SHT_DYNSYM}) {
    for (Elf_Scn* section = elf_nextscn(elf.get(), nullptr); section != nullptr;
         section = elf_nextscn(elf.get(), section)) {
      GElf_Shdr header;
      if (gelf_getshdr(section, &header) == nullptr || header.sh_type != type) continue;
      has_table = true;
      add_table(elf.get(), section, header, found);
    }
  }
  if (!has_table) throw Error("'" + path + "' has no symbol table");

  std::vector<Function> functions;
  functions.reserve(found.size());
  for (auto& [name, function] : found) functions.push_back(std::move(function));
  std::sort(functions.begin(), functions.end(), [](const Function& a, const Function& b) {
    return a.demangled != b.demangled ? a.demangled < b.demangled : a.mangled < b.mangled;
  });
  return functions;
}

}  // namespace ebpfgen::symbols
