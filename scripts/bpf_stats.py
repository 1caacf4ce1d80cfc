"""The kernel's BPF statistics, as the benchmarks read them (scripts/bench-requests, scripts/bench-io)."""
import contextlib
import os

SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


def prog_stats(pid):
    """(runs, run time ns) summed over the BPF programs a process holds."""
    runs = ns = 0
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) != "anon_inode:bpf-prog":
                continue
            info = dict(l.split(":", 1) for l in open(f"/proc/{pid}/fdinfo/{fd}") if ":" in l)
        except OSError:
            continue
        runs += int(info.get("run_cnt", "0").strip() or 0)
        ns += int(info.get("run_time_ns", "0").strip() or 0)
    return runs, ns


@contextlib.contextmanager
def stats_enabled():
    """kernel.bpf_stats_enabled=1 inside, what it was before afterwards."""
    was = open(SYSCTL).read().strip()
    with open(SYSCTL, "w") as f:
        f.write("1")
    try:
        yield
    finally:
        with open(SYSCTL, "w") as f:
            f.write(was)
