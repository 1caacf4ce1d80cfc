"""Integration cases for `ebpfgen --run`: the checks before bpftrace starts,
windows and their exact contents, Ctrl-C, and a bpftrace that dies.

Usage: run_cases.py EBPFGEN CASE
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from tracing import check, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])


def run(args, **kwargs):
    return subprocess.run([EBPFGEN, *args], capture_output=True, text=True, timeout=60, **kwargs)


def renamed_copy(program, name, work):
    """A copy of a system program under a name no other process has."""
    path = os.path.join(work, name)
    shutil.copy(shutil.which(program), path)
    return path


def windows_hold_exact_counts():
    """Three 1 s windows; the counts of all windows add up to the workload's."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    dd = renamed_copy("dd", "ebpfgen_dd", work)
    proc = start_run('target comm "ebpfgen_dd" window 1s duration 3s\n'
                     'on syscall write where fd == 1 { count as writes }', "--format", "json")
    for _ in range(3):
        subprocess.run([dd, "if=/dev/zero", "of=/dev/null", "bs=1", "count=200"], check=True, capture_output=True)
        time.sleep(0.6)
    out, _ = proc.communicate(timeout=30)
    check(proc.returncode == 0, f"exit status 0, got {proc.returncode}")
    lines = [json.loads(l) for l in out.splitlines()]
    windows = [l for l in lines if "window" in l]
    summary = lines[-1]
    lengths = [round(w["seconds"], 2) for w in windows]
    # The clock ticks every 100 ms, and a tick that lands during another BPF program is skipped.
    check(len(windows) == 3, f"three windows: {lengths}")
    check(all(0.8 <= l <= 1.25 for l in lengths), f"each lasts about 1 s: {lengths}")
    check(abs(sum(lengths) - 3.0) < 0.15, f"together the 3 s of the run: {lengths}")
    check(all(a["start_unix"] < b["start_unix"] for a, b in zip(windows, windows[1:])), "windows follow each other")
    total = sum(w["maps"].get("@writes", 0) for w in windows)
    check(total == 600, f"600 writes over the windows, got {[w['maps'] for w in windows]}")
    check(summary["summary"] and summary["maps"]["@writes"] == 600, f"the summary adds them up: {summary}")
    shutil.rmtree(work)


def start_run(spec, *options):
    """`ebpfgen --run` in the background, once it says every probe is attached."""
    proc = subprocess.Popen([EBPFGEN, "--run", *options, "-e", spec],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(proc.stderr.readline().startswith("Tracing "), "ebpfgen says when tracing starts")
    return proc


def interrupted_run(sig):
    """A signal mid-run: bpftrace prints its maps, the windows so far and a summary are written."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    out_file = os.path.join(work, "report.json")
    proc = start_run("window 1s duration 60s on syscall read { count as reads }", "--format", "json", "-o", out_file)
    time.sleep(2.5)
    started = time.time()
    proc.send_signal(sig)
    proc.wait(timeout=30)
    check(proc.returncode == 0, f"an interrupted run exits 0, got {proc.returncode}")
    check(time.time() - started < 15, "it stops promptly")
    lines = [json.loads(l) for l in open(out_file)]
    windows = [l for l in lines if "window" in l]
    lengths = [round(w["seconds"], 2) for w in windows]
    check(len(windows) == 3, f"two full windows and the partial one: {lengths}")
    check(windows[-1]["final"], "the last window is marked partial")
    check(2.3 < sum(lengths) < 2.9, f"the windows cover the 2.5 s until the signal: {lengths}")
    check(lines[-1]["interrupted"] is True and lines[-1]["ended_by"] == "interrupted", "the summary says why it ended")
    shutil.rmtree(work)


def ctrl_c_keeps_the_windows():
    interrupted_run(signal.SIGINT)


def sigterm_keeps_the_windows():
    interrupted_run(signal.SIGTERM)


def killed_bpftrace_keeps_the_windows():
    """bpftrace killed mid-run: a clear error, exit 7, and the windows collected are still written."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    out_file = os.path.join(work, "report.csv")
    proc = start_run("window 1s duration 60s metrics rps, slack", "--format", "csv", "-o", out_file)
    time.sleep(2.5)
    bpftrace = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    check(len(bpftrace) == 1, f"ebpfgen runs one bpftrace: {bpftrace}")
    os.kill(int(bpftrace[0]), signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    check(proc.returncode == 7, f"exit status 7, got {proc.returncode}")
    check("bpftrace was killed by signal 9" in err, f"the error says what happened: {err!r}")
    rows = open(out_file).read().splitlines()
    check(rows[0].startswith("window,start,seconds,final,rps(1/s),slack(us)"), f"CSV header: {rows[0]}")
    check(len(rows) >= 3, f"the two windows before the kill are kept: {rows}")
    shutil.rmtree(work)


def preflight_errors():
    """Each problem found before starting has its own message and exit status."""
    r = run(["--run", "-e", "on kprobe vfs_read { count }"])
    kprobes = os.path.exists("/sys/bus/event_source/devices/kprobe")
    if not kprobes:
        check(r.returncode == 6 and "cannot attach kprobes" in r.stderr and "on tracepoint" in r.stderr,
              f"kprobes: exit 6 and the tracepoint alternative: {r.returncode} {r.stderr!r}")
    r = run(["--run", "-e", "metrics rps"], env={**os.environ, "PATH": "/nonexistent"})
    check(r.returncode == 3 and "bpftrace is not installed" in r.stderr, f"no bpftrace: exit 3: {r.stderr!r}")
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                        EBPFGEN, "--run", "-e", "metrics rps"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 4 and "needs root, or CAP_BPF and CAP_PERFMON" in r.stderr,
          f"not root: exit 4: {r.returncode} {r.stderr!r}")
    # tracefs unmounted in a mount namespace of our own.
    script = 'umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null; exec "$@"'
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        EBPFGEN, "--run", "-e", "duration 1s metrics rps"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 5 and "mount -t tracefs tracefs /sys/kernel/tracing" in r.stderr,
          f"no tracefs: exit 5 with the command: {r.returncode} {r.stderr!r}")
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        EBPFGEN, "--run", "--mount-tracefs", "-e", "duration 1s metrics rps"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"--mount-tracefs mounts it and runs: {r.returncode} {r.stderr!r}")


def bpftrace_error_names_the_spec_line():
    """A probe bpftrace refuses is reported with the spec line that made it."""
    # ftrace:function is listed in tracefs, but it is ftrace's own event: no tracepoint attaches to it.
    r = run(["--run", "-e", 'duration 1s\non tracepoint sched:sched_switch { count }\n'
                            'on tracepoint ftrace:function { count }'])
    check(r.returncode == 7, f"exit 7, got {r.returncode}: {r.stderr!r}")
    check("ebpfgen: error: bpftrace: Error attaching probe: tracepoint:ftrace:function\n"
          "  in the probe generated from <command-line>:3: on tracepoint ftrace:function { count }" in r.stderr,
          f"points at spec line 3: {r.stderr!r}")


def command_target():
    """`-- COMMAND`: traced from its first syscall with every process it forks; the run ends when it does."""
    r = run(["--run", "--format", "json", "-e", "on syscall execve where ret == 0 { count as execs }",
             "--", "sh", "-c", "/bin/true; /bin/true; exit 3"])
    check(r.returncode == 0, f"exit status 0: {r.returncode} {r.stderr!r}")
    summary = json.loads(r.stdout.splitlines()[-1])
    check(summary["maps"]["@execs"] == 3, f"the shell's own exec and its two children's: {summary['maps']}")
    check(summary["ended_by"] == "the command exited with status 3", f"the command's status: {summary}")
    check("ebpfgen: the command exited with status 3" in r.stderr, "and on stderr")
    leftovers = [d for d in os.listdir(subprocess.run(["findmnt", "-n", "-o", "TARGET", "-t", "cgroup2"],
                                                      capture_output=True, text=True).stdout.split()[0])
                 if d.startswith("ebpfgen-")]
    check(leftovers == [], f"its cgroup is removed: {leftovers}")
    # A spec's own command target, and a command that outlives the duration is ended with the run.
    started = time.time()
    r = run(["--run", "--format", "json", "-e", 'target command "sleep 30" duration 1s on syscall execve { count }'])
    check(r.returncode == 0 and time.time() - started < 15, f"the run ends at its duration: {r.stderr!r}")
    check(subprocess.run(["pgrep", "-f", "^sleep 30$"], capture_output=True).returncode == 1, "the command was ended")


def compiled(source, name, work):
    """A small C program built for the test, under a name no other process has."""
    path = os.path.join(work, name)
    subprocess.run(["gcc", "-O2", "-pthread", "-x", "c", "-", "-o", path], input=source, text=True, check=True)
    return path


THREADS = r"""
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
static void *calls(void *arg) { for (int i = 0; i < 3; i++) syscall(SYS_getpid); return arg; }
int main(void) {
  pthread_t t[20];
  for (int i = 0; i < 20; i++) pthread_create(&t[i], 0, calls, 0);
  for (int i = 0; i < 20; i++) pthread_join(t[i], 0);
  return 0;
}
"""

CLOSES = r"""
#include <unistd.h>
int main(void) { for (int i = 0; i < 5000; i++) close(100000 + i); return 0; }
"""


def full_map_failures_counted_exactly():
    """A map of 8 keys (option map_keys) counting 20 threads' 3 getpid calls each:
    the first 8 threads fill it, so the other 12 threads' 36 updates fail. bpftrace
    runs with -k, and ebpfgen reports exactly 36 failed updates and the map as a
    lower bound, in the summary and on stderr."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    threads = compiled(THREADS, "ebpfgen_thr", work)
    proc = start_run('target comm "ebpfgen_thr" duration 3s option map_keys = 8\n'
                     'on syscall getpid { count by tid as calls }', "--format", "json")
    subprocess.run([threads], check=True)
    out, err = proc.communicate(timeout=30)
    check(proc.returncode == 0, f"exit status 0, got {proc.returncode}: {err}")
    summary = json.loads(out.splitlines()[-1])
    calls = summary["maps"]["@calls"]
    check(len(calls) == 8 and set(calls.values()) == {3}, f"8 threads' 3 calls each: {calls}")
    check(summary["map_failures"] == [{"map": "@calls", "helper": "map_update_elem", "error": -7, "count": 36}],
          f"36 failed updates of @calls: {summary['map_failures']}")
    check(summary["lower_bounds"] == ["@calls"], f"@calls is a lower bound: {summary['lower_bounds']}")
    check("bpftrace (option map_keys: bpftrace's ahead-of-time runtime makes every map 4096 keys)" == summary["tracer"],
          f"plain bpftrace, and why: {summary['tracer']}")
    check("ebpfgen: warning: 36 calls of map_update_elem on @calls failed (the map is full: bpftrace's limit of 8 "
          "keys per map; option map_keys raises it)\n" in err, f"said on stderr: {err!r}")
    shutil.rmtree(work)


def full_map_found_under_the_ahead_of_time_runtime():
    """5000 closes of distinct fds counted by fd under bpftrace-aotrt, whose maps
    hold 4096 keys and which cannot report failed updates: ebpfgen finds the map
    full at the end and marks it as a lower bound."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    closes = compiled(CLOSES, "ebpfgen_closes", work)
    proc = start_run('target comm "ebpfgen_closes" duration 3s\non syscall close { count by fd as closes }',
                     "--format", "json")
    subprocess.run([closes], check=True)
    out, err = proc.communicate(timeout=30)
    check(proc.returncode == 0, f"exit status 0, got {proc.returncode}: {err}")
    summary = json.loads(out.splitlines()[-1])
    check(summary["tracer"].startswith("bpftrace-aotrt"), f"the ahead-of-time runtime ran: {summary['tracer']}")
    check(len(summary["maps"]["@closes"]) == 4096, f"4096 of 5000 fds kept: {len(summary['maps']['@closes'])}")
    check(summary["map_failures"] == [{"map": "@closes", "count": 0, "full_at": 4096}],
          f"@closes found full: {summary['map_failures']}")
    check(summary["lower_bounds"] == ["@closes"], f"@closes is a lower bound: {summary['lower_bounds']}")
    check("ebpfgen: warning: @closes was full at the end (4096 keys, bpftrace's limit per map)" in err,
          f"said on stderr: {err!r}")
    shutil.rmtree(work)


CASES = {f.__name__: f for f in [windows_hold_exact_counts, ctrl_c_keeps_the_windows, sigterm_keeps_the_windows,
                                  killed_bpftrace_keeps_the_windows, preflight_errors,
                                  bpftrace_error_names_the_spec_line, command_target,
                                  full_map_failures_counted_exactly, full_map_found_under_the_ahead_of_time_runtime]}

if __name__ == "__main__":
    need_tracing()
    CASES[sys.argv[2]]()
