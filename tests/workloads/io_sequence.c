// A known sequence of POSIX I/O calls in a directory, for tests/integration/io_posix.py,
// which works out Darshan's counters for it by hand. Usage: io_sequence DIR
// Every call is checked; any failure ends the program with status 1.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static _Alignas(4096) char buf[200000];

static long check(long ret, const char* what) {
  if (ret < 0) {
    perror(what);
    exit(1);
  }
  return ret;
}

static void expect(long ret, long wanted, const char* what) {
  if (check(ret, what) != wanted) {
    fprintf(stderr, "%s: %ld bytes, not %ld\n", what, ret, wanted);
    exit(1);
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: io_sequence DIR\n");
    return 2;
  }
  char a[4096], b[4096], c[4096], d[4096], hidden[4096], kept[4096], hidden_dir[4096];
  snprintf(a, sizeof a, "%s/a.dat", argv[1]);
  snprintf(b, sizeof b, "%s/b.dat", argv[1]);
  snprintf(c, sizeof c, "%s/c.dat", argv[1]);
  snprintf(d, sizeof d, "%s/d.dat", argv[1]);
  snprintf(hidden_dir, sizeof hidden_dir, "%s/hidden", argv[1]);
  snprintf(hidden, sizeof hidden, "%s/hidden/x.dat", argv[1]);
  snprintf(kept, sizeof kept, "%s/hidden/kept.dat", argv[1]);
  memset(buf, 'x', sizeof buf);

  // a.dat: writes of four size buckets, the syncs, reads after a seek, strided preads.
  int fd = (int)check(open(a, O_CREAT | O_RDWR | O_TRUNC, 0644), "open a");
  expect(write(fd, buf, 100), 100, "write 100");
  expect(write(fd, buf, 1000), 1000, "write 1000");
  expect(write(fd, buf, 10000), 10000, "write 10000");
  expect(write(fd, buf, 100000), 100000, "write 100000");
  check(fsync(fd), "fsync");
  check(fdatasync(fd), "fdatasync");
  check(lseek(fd, 0, SEEK_SET), "lseek");
  for (int i = 0; i < 3; ++i) expect(read(fd, buf, 100), 100, "read 100");
  for (int i = 1; i <= 4; ++i) expect(pread(fd, buf, 100, 1000 * i), 100, "pread");
  // Interleaved: a write and a read at the shadow offset that the preads moved.
  expect(write(fd, buf, 10), 10, "write 10");
  expect(read(fd, buf, 10), 10, "read 10");
  struct iovec two[2] = {{buf, 50}, {buf + 64, 50}};
  expect(readv(fd, two, 2), 100, "readv");
  struct iovec more[2] = {{buf, 200}, {buf + 256, 300}};
  expect(writev(fd, more, 2), 500, "writev");
  struct stat st;
  check(stat(a, &st), "stat");
  check(fstat(fd, &st), "fstat");
  int copy = (int)check(dup(fd), "dup");
  expect(read(copy, buf, 100), 100, "read dup");
  check(close(copy), "close dup");
  check(close(fd), "close a");

  // a.dat again: one read of the whole file, one at its end, a mapping.
  fd = (int)check(open(a, O_RDONLY), "open a again");
  expect(read(fd, buf, sizeof buf), 111100, "read whole");
  expect(read(fd, buf, 100), 0, "read at end");
  void* map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  munmap(map, 4096);
  check(close(fd), "close a again");
  check(rename(a, b), "rename");

  // c.dat: opened twice; buffers (and an iovec's) that are not 8-byte aligned.
  fd = (int)check(open(c, O_CREAT | O_WRONLY | O_TRUNC, 0600), "open c");
  expect(write(fd, buf + 1, 4096), 4096, "write c");
  struct iovec odd[1] = {{buf + 3, 100}};
  expect(writev(fd, odd, 1), 100, "writev c");
  check(close(fd), "close c");
  fd = (int)check(open(c, O_RDONLY), "open c again");
  expect(read(fd, buf, 4096), 4096, "read c");
  check(close(fd), "close c again");

  // Under an excluded prefix, and a file there that an include takes back.
  check(mkdir(hidden_dir, 0755), "mkdir");
  fd = (int)check(open(hidden, O_CREAT | O_WRONLY | O_TRUNC, 0644), "open hidden");
  expect(write(fd, buf, 10), 10, "write hidden");
  check(close(fd), "close hidden");
  fd = (int)check(open(kept, O_CREAT | O_WRONLY | O_TRUNC, 0644), "open kept");
  expect(write(fd, buf, 10), 10, "write kept");
  check(close(fd), "close kept");

  // A stream on a descriptor, asked for its descriptor twice (fileno makes no syscall); then
  // a stream that is no file's record (stdout's descriptor is not one).
  fd = (int)check(open(d, O_CREAT | O_WRONLY | O_TRUNC, 0600), "open d");
  FILE* stream = fdopen(fd, "w");
  if (!stream) check(-1, "fdopen d");
  expect(fileno(stream), fd, "fileno d");
  expect(fileno(stream), fd, "fileno d again");
  check(fileno(stdout), "fileno stdout");
  check(fclose(stream) == 0 ? 0 : -1, "fclose d");

  // A second process: its own record of b.dat.
  pid_t child = fork();
  check(child, "fork");
  if (child == 0) {
    fd = (int)check(open(b, O_RDONLY), "child open b");
    expect(read(fd, buf, 10), 10, "child read");
    check(close(fd), "child close");
    _exit(0);
  }
  int status = 0;
  check(waitpid(child, &status, 0), "waitpid");
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
