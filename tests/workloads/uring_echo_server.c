// A TCP echo server on 127.0.0.1 that does all its socket I/O through io_uring
// (liburing): accept, recv, send and close are io_uring_prep_* operations, so
// the process never calls read/write/recv*/send*/accept/close on a socket. It
// is the workload for the request metrics' socket tracepoints
// (sock:sock_recv_length, sock:sock_send_length), which see io_uring's socket
// operations, against the syscall probes, which cannot.
//
// Every request is SIZE bytes; each is answered with one response, the same
// SIZE bytes echoed back (a request split over several receives, or a
// response over several sends, still counts once). The server counts the
// responses it sent in full.
//
//   uring_echo_server [-p PORT] [-s SIZE] [-n REQUESTS] [-k]
//
//   -p PORT      port to listen on, on 127.0.0.1 (default 0: any free port)
//   -s SIZE      bytes per request and per response (default 16, at most 65536)
//   -n REQUESTS  end after this many responses (default 0: no limit)
//   -k           keep running when the last client disconnects (by default the
//                server ends then, once it has had a client)
//
// At start it prints "pid PID port PORT" (flushed at once); when it ends
// (after REQUESTS responses, when its last client disconnected, or on SIGTERM
// or SIGINT) it prints "responses N" and exits 0.
//
// Build: gcc -O2 -o uring_echo_server uring_echo_server.c -luring
// Try:   ./uring_echo_server -p 7000 &  python3 -c 'import socket; s = socket.create_connection(
//          ("127.0.0.1", 7000)); [s.sendall(b"x" * 16) or s.recv(16) for _ in range(10)]'
//        (prints "responses 10" when the client's connection closes)
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum op { OP_ACCEPT, OP_RECV, OP_SEND, OP_CLOSE };

struct conn {
  enum op op;  // the operation in flight on this connection (one at a time)
  int fd;
  size_t done;  // bytes of the current request received, or of its response sent
  char buf[];
};

static volatile sig_atomic_t stopping = 0;
static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void die(const char* what, int err) {
  fprintf(stderr, "uring_echo_server: %s: %s\n", what, strerror(err));
  exit(1);
}

static struct io_uring ring;
static size_t size = 16;

static struct io_uring_sqe* next_sqe(void) {
  struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  if (!sqe) {  // the submission queue is full: hand it to the kernel, then take one
    io_uring_submit(&ring);
    sqe = io_uring_get_sqe(&ring);
    if (!sqe) die("io_uring_get_sqe", EBUSY);
  }
  return sqe;
}

static struct conn accepting = {.op = OP_ACCEPT};

static void submit_accept(int listener) {
  struct io_uring_sqe* sqe = next_sqe();
  io_uring_prep_accept(sqe, listener, NULL, NULL, 0);
  io_uring_sqe_set_data(sqe, &accepting);
}

static void submit_recv(struct conn* c) {
  struct io_uring_sqe* sqe = next_sqe();
  c->op = OP_RECV;
  io_uring_prep_recv(sqe, c->fd, c->buf + c->done, size - c->done, 0);
  io_uring_sqe_set_data(sqe, c);
}

static void submit_send(struct conn* c) {
  struct io_uring_sqe* sqe = next_sqe();
  c->op = OP_SEND;
  io_uring_prep_send(sqe, c->fd, c->buf + c->done, size - c->done, MSG_NOSIGNAL);
  io_uring_sqe_set_data(sqe, c);
}

static void submit_close(struct conn* c) {
  struct io_uring_sqe* sqe = next_sqe();
  c->op = OP_CLOSE;
  io_uring_prep_close(sqe, c->fd);
  io_uring_sqe_set_data(sqe, c);
}

int main(int argc, char** argv) {
  int port = 0, keep = 0;
  long limit = 0;
  for (int opt; (opt = getopt(argc, argv, "p:s:n:k")) != -1;) {
    switch (opt) {
      case 'p': port = atoi(optarg); break;
      case 's': size = strtoul(optarg, NULL, 10); break;
      case 'n': limit = strtol(optarg, NULL, 10); break;
      case 'k': keep = 1; break;
      default:
        fprintf(stderr, "usage: uring_echo_server [-p PORT] [-s SIZE] [-n REQUESTS] [-k]\n");
        return 2;
    }
  }
  if (size < 1 || size > 65536 || port < 0 || port > 65535 || limit < 0) {
    fprintf(stderr, "uring_echo_server: bad PORT, SIZE or REQUESTS\n");
    return 2;
  }

  struct sigaction sa = {.sa_handler = on_signal};  // no SA_RESTART: the wait returns -EINTR
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  // Setting the listener up is not socket I/O: plain syscalls.
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (listener < 0) die("socket", errno);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) < 0) die("bind", errno);
  if (listen(listener, 128) < 0) die("listen", errno);
  if (getsockname(listener, (struct sockaddr*)&addr, &len) < 0) die("getsockname", errno);

  int err = io_uring_queue_init(256, &ring, 0);
  if (err < 0) die("io_uring_queue_init", -err);

  printf("pid %d port %d\n", (int)getpid(), ntohs(addr.sin_port));
  fflush(stdout);

  long responses = 0;
  int clients = 0, had_client = 0;
  submit_accept(listener);
  while (!stopping && (limit == 0 || responses < limit) && (keep || !had_client || clients > 0)) {
    io_uring_submit(&ring);
    struct io_uring_cqe* cqe;
    // A timeout, so that a signal landing just before the wait is not missed.
    struct __kernel_timespec tick = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
    err = io_uring_wait_cqe_timeout(&ring, &cqe, &tick);
    if (err == -EINTR || err == -ETIME) continue;
    if (err < 0) die("io_uring_wait_cqe", -err);
    struct conn* c = io_uring_cqe_get_data(cqe);
    int res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);

    switch (c->op) {
      case OP_ACCEPT: {
        if (res >= 0) {
          struct conn* n = calloc(1, sizeof *n + size);
          if (!n) die("calloc", ENOMEM);
          n->fd = res;
          setsockopt(n->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          ++clients;
          had_client = 1;
          submit_recv(n);
        } else if (res != -EINTR && res != -ECONNABORTED) {
          die("accept", -res);
        }
        submit_accept(listener);
        break;
      }
      case OP_RECV:
        if (res <= 0) {  // the client closed (0) or reset: close our end too
          submit_close(c);
          break;
        }
        c->done += res;
        if (c->done < size) {
          submit_recv(c);
        } else {  // a whole request: echo it back
          c->done = 0;
          submit_send(c);
        }
        break;
      case OP_SEND:
        if (res <= 0) {
          submit_close(c);
          break;
        }
        c->done += res;
        if (c->done < size) {
          submit_send(c);
        } else {  // the whole response is out
          ++responses;
          c->done = 0;
          submit_recv(c);
        }
        break;
      case OP_CLOSE:
        free(c);
        --clients;
        break;
    }
  }

  printf("responses %ld\n", responses);
  fflush(stdout);
  io_uring_queue_exit(&ring);
  return 0;
}
