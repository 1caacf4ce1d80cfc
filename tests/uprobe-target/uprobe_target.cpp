// A program with known C++ functions and call counts, for uprobe tests.
//   uprobe_target [--wait-stdin] N
// calls Cart::add(int) N times, Cart::add(const std::string&) 2*N times,
// Cart::total() once and slow_step() 3 times (20 ms each), then prints "done N".
// With --wait-stdin it first reads one line, so a tracer can attach before the calls.
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>

// Not static and never inlined, so every function keeps its symbol and is really called.
namespace shop {

class Cart {
 public:
  __attribute__((noinline)) void add(int cents);
  __attribute__((noinline)) void add(const std::string& item);
  __attribute__((noinline)) long total() const;

 private:
  long sum_ = 0;
};

void Cart::add(int cents) { sum_ += cents; }

void Cart::add(const std::string& item) { sum_ += static_cast<long>(item.size()); }

long Cart::total() const { return sum_; }

__attribute__((noinline)) void slow_step() {
  timespec left{0, 20'000'000};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

}  // namespace shop

int main(int argc, char** argv) {
  bool wait_stdin = argc == 3 && std::string(argv[1]) == "--wait-stdin";
  char* end = nullptr;
  long n = argc >= 2 ? std::strtol(argv[argc - 1], &end, 10) : -1;
  if ((argc != 2 && !wait_stdin) || end == argv[argc - 1] || *end != '\0' || n < 0) {
    std::cerr << "usage: uprobe_target [--wait-stdin] N\n";
    return 2;
  }
  if (wait_stdin) {
    std::string line;
    std::getline(std::cin, line);
  }
  shop::Cart cart;
  for (long i = 0; i < n; ++i) cart.add(1);
  for (long i = 0; i < 2 * n; ++i) cart.add(std::string("item"));
  volatile long total = cart.total();
  (void)total;
  for (int i = 0; i < 3; ++i) shop::slow_step();
  std::cout << "done " << n << std::endl;
  return 0;
}
