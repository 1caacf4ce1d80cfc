// Exactly known syscalls, for tests/integration/examples_run.py.
// Usage: syscall_calls NAME SYSCALL N [PATH]: renames itself NAME (prctl), makes N calls of SYSCALL
// (getppid, ioctl FIONREAD on fd 0, or setxattr of a 64 KiB value on PATH), then exit_group: under
// its new name, exactly N + 1 syscalls.
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
static char value[65536];
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  prctl(PR_SET_NAME, argv[1]);
  long n = atol(argv[3]);
  int unread;
  for (long i = 0; i < n; i++) {
    if (!strcmp(argv[2], "getppid")) syscall(SYS_getppid);
    else if (!strcmp(argv[2], "ioctl")) syscall(SYS_ioctl, 0, FIONREAD, &unread);
    else syscall(SYS_setxattr, argv[4], "user.ebpfgen", value, sizeof value, 0);
  }
  syscall(SYS_exit_group, 0);
}
