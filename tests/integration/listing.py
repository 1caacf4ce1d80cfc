"""`ebpfgen --list`, checked against bpftrace's own `bpftrace -l`: the same
tracepoints in the same order, the same uprobe functions of a binary, and
each tracepoint's fields as `bpftrace -lv` shows them.

Usage: listing.py EBPFGEN CASE
"""
import os
import re
import subprocess
import sys

from tracing import check, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120)


def tracepoints_as_bpftrace_lists_them():
    """Every tracepoint of this kernel, and one category, line for line."""
    for pattern in ["tracepoint:*", "tracepoint:sched:*", "tracepoint:sock:inet_*"]:
        ours, theirs = run(EBPFGEN, "--list", pattern), run("bpftrace", "-l", pattern)
        check(ours.returncode == 0 and theirs.returncode == 0, f"{pattern}: both list it")
        check(ours.stdout == theirs.stdout and ours.stdout.count("\n") > 0,
              f"{pattern}: the same {ours.stdout.count(chr(10))} lines as bpftrace -l")


def uprobes_as_bpftrace_lists_them():
    """A binary's functions, as uprobe:BINARY:NAME, line for line."""
    for pattern in ["uprobe:/usr/bin/bash:*", "uprobe:/usr/bin/bash:read*"]:
        ours, theirs = run(EBPFGEN, "--list", pattern), run("bpftrace", "-l", pattern)
        check(ours.stdout == theirs.stdout and ours.stdout.count("\n") > 0,
              f"{pattern}: the same {ours.stdout.count(chr(10))} lines as bpftrace -l")
    ours = run(EBPFGEN, "--list", "uprobe:bash:readline")  # a program name, looked up on PATH
    check(ours.stdout == "uprobe:/usr/bin/bash:readline\n", f"found on PATH: {ours.stdout!r}")


def fields_as_bpftrace_shows_them():
    """-v: each field of sched_switch and of a syscall, as bpftrace -lv names and types it."""
    for probe in ["tracepoint:sched:sched_switch", "tracepoint:syscalls:sys_enter_openat"]:
        theirs = run("bpftrace", "-lv", probe).stdout.splitlines()
        expected = [theirs[0]]
        for line in theirs[1:]:
            m = re.match(r"^\s+(.*?)\s*\b(\w+)((?:\[\d*\])?)$", line)
            expected.append(f"    args.{m.group(2)}  {m.group(1)}{m.group(3)}")
        ours = run(EBPFGEN, "-v", "--list", probe).stdout.splitlines()
        if probe.endswith("openat"):
            expected = [l for l in expected if "__syscall_nr" not in l]  # a spec never names it
        check(ours == expected, f"{probe}: {ours} == {expected}")
    ours = run(EBPFGEN, "-v", "--list", "syscall:openat").stdout
    check(ours == "syscall:openat\n    args.dfd  int\n    args.filename  const char *\n    args.flags  int\n"
                  "    args.mode  umode_t\n", f"a syscall's arguments, as a spec names them: {ours!r}")


def words_and_errors():
    """A bare word matches anywhere; kprobes are said to be unavailable here; bad patterns are errors."""
    ours = run(EBPFGEN, "--list", "sched_switch")
    check(ours.returncode == 0 and ours.stdout == "tracepoint:sched:sched_switch\n", f"a word: {ours.stdout!r}")
    ours = run(EBPFGEN, "--list", "kprobe:vfs_read")
    check(ours.returncode == 1 and ours.stderr ==
          "ebpfgen: note: kprobes: this kernel cannot attach them (no kprobe PMU, no kprobe_events in tracefs)\n"
          "ebpfgen: nothing matches 'kprobe:vfs_read'\n", f"kprobes here: {ours.returncode} {ours.stderr!r}")
    ours = run(EBPFGEN, "--list", "usdt:x")
    check(ours.returncode == 2 and ours.stderr ==
          "ebpfgen: error: --list: 'usdt' is not a probe type here: syscall, tracepoint, kprobe or uprobe\n",
          f"an unknown type: {ours.stderr!r}")
    ours = run(EBPFGEN, "--list", "-v", "syscall:read")
    check(ours.returncode == 2 and ours.stderr ==
          "ebpfgen: error: --list takes a pattern, not a spec: ebpfgen [-v] --list 'tracepoint:sched:*'\n",
          f"a pattern read as a spec: {ours.stderr!r}")


CASES = {f.__name__: f for f in [tracepoints_as_bpftrace_lists_them, uprobes_as_bpftrace_lists_them,
                                  fields_as_bpftrace_shows_them, words_and_errors]}

if __name__ == "__main__":
    need_tracing()
    CASES[sys.argv[2]]()
