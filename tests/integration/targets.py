"""Process and cgroup targets against real processes: a pid with and without
its descendants (a twin family outside is never counted), a process that
exits mid-run, and the errors for pids and cgroups that cannot be traced.
Containers, and the cgroups of containers, are in containers.py, with real
podman containers.

Usage: targets.py EBPFGEN CASE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from tracing import check, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])
HERE = os.path.dirname(os.path.realpath(__file__))
FAMILY = os.path.join(HERE, "family.py")


def cgroup2_mount():
    return subprocess.run(["findmnt", "-n", "-o", "TARGET", "-t", "cgroup2"], capture_output=True, text=True,
                          check=True).stdout.split()[0]


def run(args):
    return subprocess.run([EBPFGEN, *args], capture_output=True, text=True, timeout=60)


def pid_and_cgroup_errors_and_a_target_that_exits():
    need_tracing()
    r = run(["--run", "-e", "on syscall read { count }", "--pid", "999999"])
    check(r.returncode == 8 and r.stderr == "ebpfgen: error: no process 999999: it has ended, or never was\n",
          f"pid gone: {r.returncode} {r.stderr!r}")
    r = run(["--run", "-e", "on syscall read { count }", "--cgroup", "no/such/group"])
    check(r.returncode == 8 and r.stderr == f"ebpfgen: error: cgroup 'no/such/group' does not exist: no directory "
          f"{cgroup2_mount()}/no/such/group\n", f"cgroup missing: {r.returncode} {r.stderr!r}")
    # In a spec, it is an error of the spec (bpftrace could not compile its program).
    r = run(["--run", "-e", 'target cgroup "no/such/group" on syscall read { count }'])
    check(r.returncode == 1 and r.stderr.startswith(f"<command-line>:1:15: error: cgroup 'no/such/group' does not "
          f"exist: no directory {cgroup2_mount()}/no/such/group"), f"cgroup missing in a spec: {r.returncode} {r.stderr!r}")
    fs_type = subprocess.run(["stat", "-f", "-c", "%T", "/sys/fs/cgroup"], capture_output=True, text=True).stdout.strip()
    if fs_type != "cgroup2fs":  # a hybrid machine: /sys/fs/cgroup holds the v1 hierarchies
        r = run(["--targets", "--cgroup", "/sys/fs/cgroup"])
        check(r.returncode == 8 and r.stderr == f"ebpfgen: error: /sys/fs/cgroup is not a cgroup v2 directory "
              f"(cgroup v2 is mounted at {cgroup2_mount()})\n", f"not v2: {r.stderr!r}")
    # The process ends mid-run: the windows so far are reported, and the run says why it ended.
    sleeper = subprocess.Popen(["sleep", "3"])
    started = time.time()
    r = run(["--run", "--format", "json", "-e", "window 1s on syscall clock_nanosleep { count as sleeps }",
             "--duration", "60s", "--pid", str(sleeper.pid)])
    sleeper.wait()
    check(r.returncode == 0, f"exit 0: {r.returncode} {r.stderr!r}")
    check(time.time() - started < 20, "the run ended with the process, long before its 60 s")
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    check(len(lines) >= 2 and lines[-1]["ended_by"] == f"process {sleeper.pid} exited", f"summary: {lines[-1]}")
    check(f"ebpfgen: process {sleeper.pid} exited; the run ends here" in r.stderr, r.stderr)


def pid_with_and_without_descendants():
    """`--pid N --descendants`: a child from before tracing, its child and one forked during; a twin family is not."""
    need_tracing()
    for descendants, expected in ((True, [1, 2, 3, 4]), (False, [1])):
        work = tempfile.mkdtemp(prefix="ebpfgen-family-")
        go = os.path.join(work, "go")
        family, twin = (subprocess.Popen(["python3", FAMILY, go]) for _ in range(2))
        children = f"/proc/{family.pid}/task/{family.pid}/children"
        while not open(children).read().strip():  # its first child exists before tracing starts
            time.sleep(0.02)
        trace = subprocess.Popen([EBPFGEN, "-e", "on syscall getppid { count by pid as calls }", "--run", "--format",
                                  "json", "--pid", str(family.pid), *(["--descendants"] if descendants else [])],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = trace.stderr.readline()
        check(line.startswith("Tracing process"), f"tracing started: {line!r}")
        open(go, "w").close()
        family.wait(timeout=30)
        twin.wait(timeout=30)
        out, err = trace.communicate(timeout=60)
        check(trace.returncode == 0, f"ebpfgen exited 0: {err!r}")
        summary = json.loads(out.splitlines()[-1])
        calls = summary["maps"]["@calls"]
        check(sorted(calls.values()) == expected and str(family.pid) in calls,
              f"descendants {descendants}: getppid calls by pid {calls}, expected {expected}")
        check(summary["ended_by"] == f"process {family.pid} exited", f"the run ended with the family: {summary}")
        shutil.rmtree(work, ignore_errors=True)


CASES = {f.__name__: f for f in [pid_with_and_without_descendants, pid_and_cgroup_errors_and_a_target_that_exits]}

if __name__ == "__main__":
    CASES[sys.argv[2]]()
