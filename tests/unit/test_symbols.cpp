#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "symbols/binary_path.hpp"
#include "symbols/elf_symbols.hpp"
#include "symbols/match.hpp"

using namespace ebpfgen::symbols;

namespace {

// The message and notes an action fails with, or "" if it does not fail.
struct Failure {
  std::string message;
  std::vector<std::string> notes;
};

Failure failure_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return {e.what(), e.notes};
  }
  return {};
}

const std::vector<Function>& target_functions() {
  static const std::vector<Function> functions = read_functions(UPROBE_TARGET);
  return functions;
}

std::vector<std::string> demangled_of(const std::vector<Function>& functions) {
  std::vector<std::string> names;
  for (const auto& f : functions) names.push_back(f.demangled);
  return names;
}

Resolution resolve(std::string_view pattern) { return resolve_function(target_functions(), pattern, "/bin/t"); }

Failure resolve_failure(std::string_view pattern) {
  return failure_of([&] { resolve(pattern); });
}

const std::string add_string = "shop::Cart::add(std::__cxx11::basic_string<char, std::char_traits<char>, "
                               "std::allocator<char> > const&)";

}  // namespace

TEST_CASE("symbols: the test program's functions, mangled and demangled") {
  std::vector<Function> shop;
  for (const auto& f : target_functions()) {
    if (f.demangled.starts_with("shop::")) shop.push_back(f);
  }
  REQUIRE(shop.size() == 4);
  CHECK(shop[0].mangled == "_ZN4shop4Cart3addEi");
  CHECK(shop[0].demangled == "shop::Cart::add(int)");
  CHECK(shop[1].mangled == "_ZN4shop4Cart3addERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE");
  CHECK(shop[1].demangled == add_string);
  CHECK(shop[2].mangled == "_ZNK4shop4Cart5totalEv");
  CHECK(shop[2].demangled == "shop::Cart::total() const");
  CHECK(shop[3].mangled == "_ZN4shop9slow_stepEv");
  CHECK(shop[3].demangled == "shop::slow_step()");
  for (const auto& f : shop) {
    CHECK(f.address != 0);
    CHECK(f.size > 0);
  }
}

TEST_CASE("symbols: C names stay as they are; the list is sorted and has each name once") {
  const auto& functions = target_functions();
  auto main_fn =
      std::find_if(functions.begin(), functions.end(), [](const Function& f) { return f.mangled == "main"; });
  REQUIRE(main_fn != functions.end());
  CHECK(main_fn->demangled == "main");
  for (std::size_t i = 1; i < functions.size(); ++i) {
    const auto& a = functions[i - 1];
    const auto& b = functions[i];
    CHECK((a.demangled < b.demangled || (a.demangled == b.demangled && a.mangled < b.mangled)));
  }
}

TEST_CASE("symbols: files that cannot be read") {
  CHECK(failure_of([] { read_functions("/nonexistent/x"); }).message ==
        "cannot open '/nonexistent/x': No such file or directory");
  CHECK(failure_of([] { read_functions("/etc/passwd"); }).message == "'/etc/passwd' is not an ELF file");
  CHECK(failure_of([] { read_functions("/"); }).message == "'/' is not a regular file");

  // An ELF header and nothing else: valid, but without sections.
  char path[] = "/tmp/ebpfgen-no-symbols-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  unsigned char header[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  header[16] = 2;     // ET_EXEC
  header[18] = 0x3e;  // EM_X86_64
  header[20] = 1;     // EV_CURRENT
  header[52] = 64;    // e_ehsize
  REQUIRE(write(fd, header, sizeof header) == sizeof header);
  close(fd);
  CHECK(failure_of([&] { read_functions(path); }).message == "'" + std::string(path) + "' has no symbol table");
  std::remove(path);
}

TEST_CASE("symbols: a mangled name or a name with parameters picks one function") {
  auto r = resolve("_ZN4shop4Cart3addEi");
  CHECK(r.kind == PatternKind::mangled);
  CHECK(demangled_of(r.functions) == std::vector<std::string>{"shop::Cart::add(int)"});

  r = resolve("shop::Cart::add(int)");
  CHECK(r.kind == PatternKind::with_parameters);
  CHECK(demangled_of(r.functions) == std::vector<std::string>{"shop::Cart::add(int)"});
  CHECK(r.functions[0].mangled == "_ZN4shop4Cart3addEi");
  CHECK(demangled_of(resolve("  shop::Cart::add( int ) ").functions) ==
        std::vector<std::string>{"shop::Cart::add(int)"});
  CHECK(demangled_of(resolve(add_string).functions) == std::vector<std::string>{add_string});

  CHECK(demangled_of(resolve("shop::Cart::total() const").functions) ==
        std::vector<std::string>{"shop::Cart::total() const"});
  CHECK(demangled_of(resolve("shop::Cart::total()const").functions) ==
        std::vector<std::string>{"shop::Cart::total() const"});
}

TEST_CASE("symbols: a name without parameters must name one function") {
  auto r = resolve("shop::Cart::total");
  CHECK(r.kind == PatternKind::name);
  CHECK(demangled_of(r.functions) == std::vector<std::string>{"shop::Cart::total() const"});
  CHECK(demangled_of(resolve("shop::slow_step").functions) == std::vector<std::string>{"shop::slow_step()"});
  CHECK(demangled_of(resolve("main").functions) == std::vector<std::string>{"main"});

  auto ambiguous = resolve_failure("shop::Cart::add");
  CHECK(ambiguous.message ==
        "'shop::Cart::add' is ambiguous in '/bin/t': name one with its parameter list, e.g. 'shop::Cart::add(int)', "
        "or use a glob");
  CHECK(ambiguous.notes == std::vector<std::string>{"shop::Cart::add(int)", add_string});
}

TEST_CASE("symbols: a glob selects every function it matches") {
  auto r = resolve("shop::Cart::*");
  CHECK(r.kind == PatternKind::glob);
  CHECK(demangled_of(r.functions) ==
        std::vector<std::string>{"shop::Cart::add(int)", add_string, "shop::Cart::total() const"});
  CHECK(resolve("_ZN4shop*").functions.size() == 3);  // not _ZNK4shop4Cart5totalEv
  CHECK(resolve("_ZN*4shop*").functions.size() == 4);
  // The bare name matches even where the demangled one, with "()", does not.
  CHECK(demangled_of(resolve("shop::*_step").functions) == std::vector<std::string>{"shop::slow_step()"});
  CHECK(demangled_of(resolve("shop::Cart::add(?nt)").functions) == std::vector<std::string>{"shop::Cart::add(int)"});

  auto none = resolve_failure("nope::*");
  CHECK(none.message == "no function matches 'nope::*' in '/bin/t'");
  CHECK(none.notes.empty());
}

TEST_CASE("symbols: no such function names the closest ones") {
  auto typo = resolve_failure("shop::Cart::ad");
  CHECK(typo.message == "no function 'shop::Cart::ad' in '/bin/t'");
  CHECK(typo.notes ==
        std::vector<std::string>{"did you mean 'shop::Cart::add(int)'?", "did you mean '" + add_string + "'?"});

  auto unqualified = resolve_failure("slow_step");
  CHECK(unqualified.message == "no function 'slow_step' in '/bin/t'");
  CHECK(unqualified.notes == std::vector<std::string>{"did you mean 'shop::slow_step()'?"});

  auto wrong_parameters = resolve_failure("shop::Cart::total(int)");
  CHECK(wrong_parameters.message == "no function 'shop::Cart::total(int)' in '/bin/t'");
  CHECK(wrong_parameters.notes == std::vector<std::string>{"did you mean 'shop::Cart::total() const'?"});

  auto far = resolve_failure("zzzzzzzzzzzz");
  CHECK(far.message == "no function 'zzzzzzzzzzzz' in '/bin/t'");
  CHECK(far.notes.empty());
}

TEST_CASE("symbols: aliases at one address are probed once; clones lose to the original") {
  std::vector<Function> functions = {
      {"_ZN4shop4CartC1Ev", "shop::Cart::Cart()", 0x1000, 8},
      {"_ZN4shop4CartC2Ev", "shop::Cart::Cart()", 0x1000, 8},
      {"_ZN4shop4stepEi", "shop::step(int)", 0x2000, 8},
      {"_ZN4shop4stepEi.constprop.0", "shop::step(int) [clone .constprop.0]", 0x3000, 8},
      {"_Z5applyIiEvT_", "void apply<int>(int)", 0x4000, 8},
  };
  auto r = resolve_function(functions, "shop::Cart::Cart", "/bin/t");
  REQUIRE(r.functions.size() == 1);
  CHECK(r.functions[0].mangled == "_ZN4shop4CartC1Ev");
  CHECK(resolve_function(functions, "shop::Cart::Cart()", "/bin/t").functions.size() == 1);
  CHECK(resolve_function(functions, "shop::*", "/bin/t").functions.size() == 3);

  r = resolve_function(functions, "shop::step", "/bin/t");
  REQUIRE(r.functions.size() == 1);
  CHECK(r.functions[0].mangled == "_ZN4shop4stepEi");

  // Template functions demangle with their return type, which the pattern may leave out.
  CHECK(resolve_function(functions, "apply<int>", "/bin/t").functions.size() == 1);
  CHECK(resolve_function(functions, "apply<int>(int)", "/bin/t").functions.size() == 1);
  CHECK(resolve_function(functions, "void apply<int>(int)", "/bin/t").functions.size() == 1);
}

TEST_CASE("symbols: the bare name of a demangled function") {
  CHECK(name_without_parameters("shop::Cart::add(int)") == "shop::Cart::add");
  CHECK(name_without_parameters("shop::Cart::total() const") == "shop::Cart::total");
  CHECK(name_without_parameters("shop::Adder::operator()(int) const") == "shop::Adder::operator()");
  CHECK(name_without_parameters("shop::Adder::operator()") == "shop::Adder::operator()");
  CHECK(name_without_parameters("(anonymous namespace)::helper(int)") == "(anonymous namespace)::helper");
  CHECK(name_without_parameters("(anonymous namespace)::helper") == "(anonymous namespace)::helper");
  CHECK(name_without_parameters("(anonymous namespace)::Box::operator<(Box const&) const") ==
        "(anonymous namespace)::Box::operator<");
  CHECK(name_without_parameters("shop::Cart::operator<<(int)") == "shop::Cart::operator<<");
  CHECK(name_without_parameters("shop::Cart::operator->() const") == "shop::Cart::operator->");
  CHECK(name_without_parameters("shop::Cart::operator long() const") == "shop::Cart::operator long");
  CHECK(name_without_parameters("operator new(unsigned long, void*)") == "operator new");
  CHECK(name_without_parameters("std::vector<int, std::allocator<int> >::push_back(int const&)") ==
        "std::vector<int, std::allocator<int> >::push_back");
  CHECK(name_without_parameters("void shop::apply<int>(int)") == "shop::apply<int>");
  CHECK(name_without_parameters("shop::run()::{lambda(int)#1}::operator()(int) const") ==
        "shop::run()::{lambda(int)#1}::operator()");
  CHECK(name_without_parameters("shop::step(int) [clone .constprop.0]") == "shop::step");
  CHECK(name_without_parameters("main") == "main");

  CHECK(has_parameter_list("f(int)"));
  CHECK_FALSE(has_parameter_list("shop::Adder::operator()"));
  CHECK_FALSE(has_parameter_list("(anonymous namespace)::helper"));

  CHECK(normalize_blanks("  shop::Cart::add( int )  ") == "shop::Cart::add(int)");
  CHECK(normalize_blanks("f(unsigned   long) const") == "f(unsigned long)const");
  CHECK(normalize_blanks("std::vector<int, std::allocator<int> >") == "std::vector<int,std::allocator<int>>");

  std::vector<std::string> names = {"shop::Cart::add", "shop::slow_step", "main", "shop::Cart::total"};
  CHECK(closest_names("slow_step", names) == std::vector<std::string>{"shop::slow_step"});
  CHECK(closest_names("shop::Cart::ad", names) == std::vector<std::string>{"shop::Cart::add"});
  CHECK(closest_names("mian", names) == std::vector<std::string>{"main"});
  CHECK(closest_names("zzzzzzzzzzzz", names).empty());
  CHECK(closest_names("a", {"d", "c", "b"}, 2) == std::vector<std::string>{"b", "c"});
  CHECK(closest_names("abcdefghijkl", {"abcdefghijkl_x", "abcdefghi", "abcdefghijkl_xyzw"}) ==
        std::vector<std::string>{"abcdefghijkl_x", "abcdefghi"});
}

TEST_CASE("symbols: absolute paths, programs on PATH and libraries") {
  CHECK(find_binary("/bin/sh") == "/bin/sh");
  // Under a root, links are followed inside it (here the root is ours: the same file).
  CHECK(find_binary("/bin/sh", {"/proc/self/root", std::nullopt}) ==
        "/proc/self/root" + std::filesystem::canonical("/bin/sh").string());
  CHECK(find_binary("sh") == "/usr/bin/sh");

  std::string libc = find_binary("libc");
  CHECK(libc.ends_with("/libc.so.6"));
  CHECK((libc.starts_with("/lib/") || libc.starts_with("/usr/lib")));
  CHECK(find_binary("libc.so.6") == libc);

  // A running process: the libc it maps, seen through its root.
  std::string root = "/proc/" + std::to_string(getpid()) + "/root";
  std::string mapped = find_binary("libc", {root, getpid()});
  CHECK(mapped.starts_with(root + "/"));
  CHECK(mapped.ends_with("/libc.so.6"));
}

TEST_CASE("symbols: a program is looked up on ebpfgen's own PATH, which a launched command inherits") {
  namespace fs = std::filesystem;
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  fs::path dir = fs::temp_directory_path() / ("ebpfgen-path-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::copy_file("/bin/true", dir / "ebpfgen-own-true", fs::copy_options::overwrite_existing);
  setenv("PATH", (dir.string() + ":/usr/bin").c_str(), 1);
  CHECK(find_binary("ebpfgen-own-true") == (dir / "ebpfgen-own-true").string());
  // Under another root, without a process to take a PATH from: the default one.
  CHECK(failure_of([&] { find_binary("ebpfgen-own-true", {"/proc/self/root", std::nullopt}); }).message ==
        "cannot find program 'ebpfgen-own-true' in PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin) "
        "under /proc/self/root");
  setenv("PATH", saved.c_str(), 1);
  fs::remove_all(dir);
}

TEST_CASE("symbols: binary names that are refused or not found") {
  // The default PATH, as when ebpfgen runs with none (sudo's secure_path is much the same).
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  unsetenv("PATH");
  auto message = [](std::string_view name, SearchRoot root = {}) {
    return failure_of([&] { find_binary(name, root); }).message;
  };
  CHECK(message(";rm -rf /") == "binary name ';rm -rf /' may only use letters, digits and . _ + - /");
  CHECK(message("a b") == "binary name 'a b' may only use letters, digits and . _ + - /");
  CHECK(message("a\nb") == "binary name 'a\\x0ab' may only use letters, digits and . _ + - /");
  CHECK(message("../etc/passwd") == "binary name '../etc/passwd' must not contain '..'");
  CHECK(message("/usr/../etc/passwd") == "binary name '/usr/../etc/passwd' must not contain '..'");
  CHECK(message("") == "the binary name is empty");
  CHECK(message("bin/sh") == "give an absolute path instead of 'bin/sh', or a bare program name to look up in PATH");

  CHECK(message("/nonexistent/prog") == "cannot find '/nonexistent/prog': No such file or directory");
  CHECK(message("/etc") == "'/etc' is not a regular file");
  CHECK(message("no-such-program-xyz") ==
        "cannot find program 'no-such-program-xyz' in PATH "
        "(/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)");
  CHECK(message("no-such-program-xyz", {"/proc/self/root", std::nullopt}) ==
        "cannot find program 'no-such-program-xyz' in PATH "
        "(/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin) under /proc/self/root");
  CHECK(message("libnosuchlib.so.1") ==
        "cannot find library 'libnosuchlib.so.1' in /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, "
        "/usr/lib64, /lib, /usr/lib, /usr/local/lib");
  CHECK(message("libnosuchlib") ==
        "cannot find 'libnosuchlib' as a library in /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, "
        "/usr/lib64, /lib, /usr/lib, /usr/local/lib, nor as a program in PATH "
        "(/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)");
  CHECK(message("libnosuchlib.so", {"/proc/1/root", 1}).starts_with(
      "cannot find library 'libnosuchlib.so' in the files mapped by pid 1 or /lib/x86_64-linux-gnu, "));
  setenv("PATH", saved.c_str(), 1);
}

TEST_CASE("symbols: links inside a root are followed inside it, absolute ones too") {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("ebpfgen-root-" + std::to_string(::getpid()));
  fs::create_directories(root / "usr/bin");
  fs::create_directories(root / "etc/alternatives");
  fs::copy_file(UPROBE_TARGET, root / "usr/bin/shop-1.2");
  fs::create_symlink("/usr/bin/shop-1.2", root / "etc/alternatives/shop");  // absolute: the root's, not ours
  fs::create_symlink("/etc/alternatives/shop", root / "usr/bin/shop");
  fs::create_directory_symlink("usr/bin", root / "bin");  // relative, as on merged-/usr systems
  SearchRoot where{root.string(), std::nullopt};
  CHECK(find_binary("/bin/shop", where) == root.string() + "/usr/bin/shop-1.2");
  CHECK(find_binary("/usr/bin/shop", where) == root.string() + "/usr/bin/shop-1.2");
  fs::copy_file(UPROBE_TARGET, root / "usr/bin/it's \"here\"");
  fs::create_symlink("/usr/bin/it's \"here\"", root / "usr/bin/odd");
  CHECK_THROWS_WITH_AS(find_binary("/usr/bin/odd", where),
                       ("the binary '/usr/bin/odd' is at '" + root.string() +
                        "/usr/bin/it's \"here\"', a path with characters other than letters, digits and . _ + - /")
                           .c_str(),
                       Error);
  fs::remove_all(root);
}
