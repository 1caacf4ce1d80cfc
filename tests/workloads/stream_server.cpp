// A gRPC-shaped C++ program for span tests: each stream is an object whose
// constructor runs when it opens, and a free function is called three times
// with the stream's pointer, the third time when it completes (as gRPC's
// grpc_chttp2_maybe_complete_recv_trailing_metadata is).
//   stream_server [--wait-stdin] N
// opens N pairs of streams; for each pair, three rounds of: sleep 4 ms, then
// the call on each of the two streams. So every stream completes about 12 ms
// after it opened, its first call comes about 4 ms after; 2*N streams in all,
// two open at once. Prints "done 2N".
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>

namespace rpc {

class Stream {
 public:
  __attribute__((noinline)) explicit Stream(int id);
  int id() const { return id_; }

 private:
  int id_;
};

Stream::Stream(int id) : id_(id) {}

volatile int completed = 0;

__attribute__((noinline)) void maybe_complete_recv_trailing_metadata(Stream* stream) { completed += stream->id() >= 0; }

void sleep_ms(long ms) {
  timespec left{0, ms * 1'000'000};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

}  // namespace rpc

int main(int argc, char** argv) {
  bool wait_stdin = argc == 3 && std::string(argv[1]) == "--wait-stdin";
  char* end = nullptr;
  long n = argc >= 2 ? std::strtol(argv[argc - 1], &end, 10) : -1;
  if ((argc != 2 && !wait_stdin) || end == argv[argc - 1] || *end != '\0' || n < 0) {
    std::cerr << "usage: stream_server [--wait-stdin] N\n";
    return 2;
  }
  if (wait_stdin) {
    std::string line;
    std::getline(std::cin, line);
  }
  for (long i = 0; i < n; ++i) {
    auto* a = new rpc::Stream(static_cast<int>(2 * i));
    auto* b = new rpc::Stream(static_cast<int>(2 * i + 1));
    for (int round = 0; round < 3; ++round) {
      rpc::sleep_ms(4);
      rpc::maybe_complete_recv_trailing_metadata(a);
      rpc::maybe_complete_recv_trailing_metadata(b);
    }
    delete a;
    delete b;
  }
  std::cout << "done " << 2 * n << std::endl;
  return 0;
}
