// Calls std::ostream::flush() (in libstdc++) N times, then leaves without the flushes of a
// normal exit, for tests/integration/examples_run.py. Usage: ostream_flushes N
#include <cstdlib>
#include <iostream>
#include <unistd.h>
int main(int, char** argv) {
  for (int i = 0, n = std::atoi(argv[1]); i < n; ++i) std::cout.flush();
  _exit(0);
}
