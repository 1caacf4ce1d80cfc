// A TCP server with a known service-time distribution, for checking request
// latency percentiles against the truth (tests/integration/percentiles.py).
//
// Single-threaded, on 127.0.0.1, it serves one connection: for each request
// (a 16-byte message, taken with one read()) it waits a service time drawn
// from a lognormal distribution (median 2 ms, sigma 0.8 by default), then
// write()s a 16-byte response. The draws come from a fixed seed (splitmix64
// and Box-Muller, no libraries), so every run asks for the same times.
//
// Each wait sleeps (clock_nanosleep, absolute, timer slack 1 ns) until 300 us
// before its deadline, then spins on CLOCK_MONOTONIC for the rest, so a
// wake-up up to 300 us late costs nothing. The server records its OWN
// measure of each request's service time: clock_gettime(CLOCK_MONOTONIC)
// right after the read() returns, and again right before write() is called
// (the clock bpftrace's nsecs reads). A busy machine can make a wait longer
// than drawn (a late wake-up, a preemption); the measured time is the truth
// either way. When the client disconnects, or after MAX requests, the server
// writes the measured times to OUT_FILE (ns, one per line, in request order)
// and exits 0.
//
//   service_time_server [-n MAX] [-m MEDIAN_US] [-s SIGMA] [-r SEED] [-w WRITE_FILE] PORT OUT_FILE
//
//   PORT        0: the kernel chooses one. Once listening, the server prints
//               "pid PID port PORT" on stdout (flushed).
//   -n MAX      stop after MAX requests (default 0: until the client leaves)
//   -m, -s, -r  the distribution's median in us (2000), sigma (0.8), seed
//   -w FILE     also write how long each write() call took (ns, one per
//               line): the part of a send that comes after the server's
//               end timestamp, which a tracer that ends a request at the
//               socket send's return counts too
//
// Example, with a client sending 16-byte requests one at a time:
//
//   service_time_server 0 /tmp/times.txt &     # prints: pid 1234 port 40001
//   python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 40001))
//   for _ in range(1000): s.sendall(b"x" * 16); s.recv(16)'
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_BYTES 16
#define SPIN_NS 300000LL  // the last 300 us of each wait are spun, not slept

static void die(const char* what) {
  perror(what);
  exit(1);
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// splitmix64: a small, well-mixed PRNG; enough for drawing service times.
static uint64_t rng_state;
static uint64_t next_u64(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
// Uniform in (0, 1]: 53 random bits, never 0 (Box-Muller takes its log).
static double uniform01(void) { return ((double)(next_u64() >> 11) + 1.0) / 9007199254740992.0; }

// One standard normal draw (Box-Muller; the second value of each pair is kept
// for the next call).
static double normal(void) {
  static int have_spare = 0;
  static double spare;
  if (have_spare) {
    have_spare = 0;
    return spare;
  }
  double r = sqrt(-2.0 * log(uniform01()));
  double theta = 2.0 * M_PI * uniform01();
  spare = r * sin(theta);
  have_spare = 1;
  return r * cos(theta);
}

// Waits until CLOCK_MONOTONIC reaches `deadline` (ns): sleep, then spin.
static void wait_until(long long deadline) {
  long long wake = deadline - SPIN_NS;
  if (wake > now_ns()) {
    struct timespec t = {.tv_sec = wake / 1000000000LL, .tv_nsec = wake % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {
    }
  }
  while (now_ns() < deadline) {
  }
}

static int read_full(int fd, char* buf, size_t n, long long* first_return_ns) {
  // The first read() takes the whole request in practice (one 16-byte send on
  // loopback); a short one is completed, but the request starts at the first.
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (got == 0) *first_return_ns = now_ns();
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return got == 0 ? 0 : -1;  // the client left: between requests, or inside one
    got += (size_t)r;
  }
  return 1;
}

static void usage(void) {
  fprintf(stderr,
          "usage: service_time_server [-n MAX] [-m MEDIAN_US] [-s SIGMA] [-r SEED] [-w WRITE_FILE] PORT OUT_FILE\n");
  exit(2);
}

static long long* append(long long* values, size_t* capacity, size_t n, long long value) {
  if (n == *capacity) {
    *capacity = *capacity ? *capacity * 2 : 4096;
    values = realloc(values, *capacity * sizeof *values);
    if (!values) die("realloc");
  }
  values[n] = value;
  return values;
}

static void write_values(const char* path, const long long* values, size_t n) {
  FILE* out = fopen(path, "w");
  if (!out) die(path);
  for (size_t i = 0; i < n; ++i) fprintf(out, "%lld\n", values[i]);
  if (fclose(out) != 0) die(path);
}

int main(int argc, char** argv) {
  long max_requests = 0;
  double median_us = 2000.0, sigma = 0.8;
  const char* write_file = NULL;
  rng_state = 20240601ULL;
  char* end;
  for (int c; (c = getopt(argc, argv, "n:m:s:r:w:")) != -1;) {
    switch (c) {
      case 'n': max_requests = strtol(optarg, &end, 10); break;
      case 'm': median_us = strtod(optarg, &end); break;
      case 's': sigma = strtod(optarg, &end); break;
      case 'r': rng_state = strtoull(optarg, &end, 10); break;
      case 'w': write_file = optarg; end = optarg + strlen(optarg); break;
      default: usage();
    }
    if (*end != '\0') usage();
  }
  if (argc - optind != 2) usage();
  long port = strtol(argv[optind], &end, 10);
  const char* out_file = argv[optind + 1];
  if (*end != '\0' || port < 0 || port > 65535 || max_requests < 0 || !(median_us > 0) || !(sigma >= 0)) usage();
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // wake up on time, not up to 50 us late

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  if (listener >= 0) setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) < 0 || listen(listener, 1) < 0 ||
      getsockname(listener, (struct sockaddr*)&addr, &len) < 0)
    die("listen");
  printf("pid %d port %d\n", (int)getpid(), ntohs(addr.sin_port));
  fflush(stdout);

  int conn = accept(listener, NULL, NULL);
  if (conn < 0) die("accept");
  close(listener);
  setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  size_t served = 0, capacity = 0, write_capacity = 0;
  long long *measured = NULL, *write_ns = NULL;
  const double log_median_ns = log(median_us * 1000.0);
  char buf[REQUEST_BYTES];
  while (max_requests == 0 || (long)served < max_requests) {
    long long start = 0;
    int r = read_full(conn, buf, sizeof buf, &start);
    if (r == 0) break;
    if (r < 0) die("read");
    long long service_ns = llround(exp(log_median_ns + sigma * normal()));
    wait_until(start + service_ns);
    long long before_write = now_ns();
    if (write(conn, buf, sizeof buf) != (ssize_t)sizeof buf) die("write");
    long long after_write = now_ns();
    measured = append(measured, &capacity, served, before_write - start);
    write_ns = append(write_ns, &write_capacity, served, after_write - before_write);
    ++served;
  }
  close(conn);

  write_values(out_file, measured, served);
  if (write_file) write_values(write_file, write_ns, served);
  return 0;
}
