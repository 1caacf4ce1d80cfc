// A request loop with a known, fixed syscall pattern, for measuring what
// tracing costs per request. One thread holds both ends of a TCP loopback
// connection and passes a 16-byte message back and forth: each iteration is
// one write on one end, one epoll_wait, and one read on the other end. The
// direction alternates, so every read is followed by a write on the same
// socket one iteration later: each iteration is also one receive -> send turn
// (a request and its response, for the request metrics).
//
//   request_loop ITERATIONS [START_FILE]
//
// Prints "pid PID" and, with START_FILE, waits until that file exists before
// the first iteration, so that a tracer can attach first. Ends with
// "iterations N ns_per_iteration X".
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die(const char* what) {
  perror(what);
  exit(1);
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: request_loop ITERATIONS [START_FILE]\n");
    return 2;
  }
  long iterations = strtol(argv[1], NULL, 10);
  const char* start_file = argc > 2 ? argv[2] : NULL;
  if (iterations <= 0) die("ITERATIONS");

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) < 0 || listen(listener, 1) < 0 ||
      getsockname(listener, (struct sockaddr*)&addr, &len) < 0)
    die("listen");
  int ends[2];
  ends[0] = socket(AF_INET, SOCK_STREAM, 0);
  if (ends[0] < 0 || connect(ends[0], (struct sockaddr*)&addr, sizeof addr) < 0) die("connect");
  ends[1] = accept(listener, NULL, NULL);
  if (ends[1] < 0) die("accept");
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  for (int i = 0; i < 2; ++i) {
    int one = 1;
    setsockopt(ends[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ends[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, ends[i], &ev) < 0) die("epoll_ctl");
  }
  printf("pid %d\n", getpid());
  fflush(stdout);
  if (start_file) {
    struct stat st;
    while (stat(start_file, &st) != 0) usleep(10000);
  }
  char b[16] = "GET";
  long long t0 = now_ns();
  for (long i = 0; i < iterations; ++i) {
    int from = ends[i % 2], to = ends[1 - i % 2];
    if (write(from, b, sizeof b) != sizeof b) die("write");
    struct epoll_event got;
    if (epoll_wait(ep, &got, 1, -1) != 1 || got.data.fd != to) die("epoll_wait");
    if (read(to, b, sizeof b) != sizeof b) die("read");
  }
  long long t1 = now_ns();
  printf("iterations %ld ns_per_iteration %.1f\n", iterations, (double)(t1 - t0) / iterations);
  return 0;
}
