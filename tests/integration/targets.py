"""Targets against real kernel isolation.

A "container" is built with unshare (new PID and mount namespaces) in a
fresh cgroup v2 leaf; it runs nginx with two worker processes and, once
tracing has started, forks three children. An identical twin runs the same
binaries outside it. Both get the same load at the same time; ebpfgen must
count exactly the container's requests and its late children, and nothing
of the twin's.

No container runtime can run on the machines this suite is written for
(no docker daemon, no rootful podman), so the container-name lookup is
driven by a stand-in `docker` on PATH that answers for the unshare
container and records the arguments it was given; the real docker CLI, when
installed, is used for the lookup's error messages.

Usage: targets.py EBPFGEN CASE
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from servers import free_port, wait_for_port
from tracing import check, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])
HERE = os.path.dirname(os.path.realpath(__file__))
TOP = os.path.join(HERE, "..", "..")
LOADGEN = os.path.join(TOP, "scripts", "loadgen")
INIT = os.path.join(HERE, "container_init.py")
FAMILY = os.path.join(HERE, "family.py")
SPEC = "metrics responses\non syscall getppid { count by pid as getppid_calls }\n"
INSPECT_FORMAT = "{{.State.Pid}} {{.State.Running}} {{.Id}}"


def cgroup2_mount():
    return subprocess.run(["findmnt", "-n", "-o", "TARGET", "-t", "cgroup2"], capture_output=True, text=True,
                          check=True).stdout.split()[0]


def run(args, env=None):
    return subprocess.run([EBPFGEN, *args], capture_output=True, text=True, timeout=60, env=env)


class Box:
    """nginx (two workers) and a late forker, in a container or outside."""

    def __init__(self, contained):
        self.work = tempfile.mkdtemp(prefix="ebpfgen-box-")
        self.port = free_port()
        self.go = os.path.join(self.work, "go")
        command = ["python3", INIT, self.work, str(self.port), self.go]
        self.leaf = None
        enter = None
        if contained:
            self.leaf = os.path.join(cgroup2_mount(), f"ebpfgen-test-{os.getpid()}")
            os.mkdir(self.leaf)
            leaf_procs = os.path.join(self.leaf, "cgroup.procs")

            def enter():
                with open(leaf_procs, "w") as f:
                    f.write("0")
            command = ["unshare", "--pid", "--fork", "--mount", "--mount-proc", "--kill-child", "--", *command]
        self.proc = subprocess.Popen(command, preexec_fn=enter)
        wait_for_port(self.port)

    def first_process(self):
        """The host pid of the container's pid 1 (unshare's child)."""
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            return int(f.read().split()[0])

    def served(self):
        log = os.path.join(self.work, "access.log")
        return sum(1 for _ in open(log)) if os.path.exists(log) else 0

    def stop(self):
        if self.leaf:  # unshare --fork ignores SIGTERM: end everything in the leaf at once
            with open(os.path.join(self.leaf, "cgroup.kill"), "w") as f:
                f.write("1")
        else:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        if self.leaf:
            deadline = time.time() + 5
            while time.time() < deadline:
                try:
                    os.rmdir(self.leaf)
                    break
                except OSError:
                    time.sleep(0.05)
        shutil.rmtree(self.work, ignore_errors=True)


def traced_run(inside, outside, target_args, env=None):
    """Traces while both boxes fork their late children and take the same load; returns the summary."""
    trace = subprocess.Popen([EBPFGEN, "-e", SPEC, "--run", "--format", "json", "--duration", "5s", *target_args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = trace.stderr.readline()
    if not line.startswith("Tracing "):
        trace.kill()
        raise AssertionError(f"ebpfgen did not start tracing: {line}{trace.stderr.read()}")
    for box in (inside, outside):
        open(box.go, "w").close()  # the late children, forked after tracing started
    loads = [subprocess.Popen([LOADGEN, "--protocol", "http", "--port", str(box.port), "--rate", "400",
                               "--duration", "2.5", "--json"], stdout=subprocess.PIPE, text=True)
             for box in (inside, outside)]
    for load in loads:
        load.wait(timeout=60)
    out, err = trace.communicate(timeout=60)
    check(trace.returncode == 0, f"ebpfgen --run exited {trace.returncode}: {err}")
    return json.loads(out.splitlines()[-1]), err


def check_only_the_container(summary, inside, outside):
    served_inside, served_outside = inside.served(), outside.served()
    print(f"served inside {served_inside}, outside {served_outside}; traced responses {summary['responses']}, "
          f"getppid calls {summary['maps']['@getppid_calls']}")
    check(served_outside > 500, f"the twin outside was busy too: {served_outside}")
    check(abs(summary["responses"] - served_inside) <= 2 + served_inside * 0.005,
          f"responses {summary['responses']} = the container's own count {served_inside}, not the twin's too")
    calls = summary["maps"]["@getppid_calls"]
    check(sorted(calls.values()) == [5, 5, 5],
          f"the three children forked after tracing started, and only the container's: {calls}")


def with_boxes(body):
    need_tracing()
    inside, outside = Box(True), Box(False)
    try:
        body(inside, outside)
    finally:
        inside.stop()
        outside.stop()


def cgroup_target_counts_the_container_not_its_twin():
    def body(inside, outside):
        summary, _ = traced_run(inside, outside, ["--cgroup", os.path.basename(inside.leaf)])
        check_only_the_container(summary, inside, outside)
    with_boxes(body)


def stand_in_runtime(work, answers):
    """A `docker` on PATH that records its arguments and answers `container inspect` from `answers`."""
    bin_dir = os.path.join(work, "bin")
    os.mkdir(bin_dir)
    log = os.path.join(work, "docker-args.jsonl")
    with open(os.path.join(bin_dir, "docker"), "w") as f:
        f.write(f"""#!/usr/bin/env python3
import json, sys
with open({log!r}, "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
answers = {json.dumps(answers)}
args = sys.argv[1:]
if args[:4] == ["container", "inspect", "--format", {INSPECT_FORMAT!r}] and len(args) == 5 and args[4] in answers:
    print(answers[args[4]])
    sys.exit(0)
print("Error: No such container: " + args[-1], file=sys.stderr)
sys.exit(1)
""")
    os.chmod(os.path.join(bin_dir, "docker"), 0o755)
    env = dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"])
    return env, log


def logged_calls(log):
    return [json.loads(l) for l in open(log)] if os.path.exists(log) else []


def container_target_by_mount_namespace_with_a_stand_in_runtime():
    def body(inside, outside):
        work = tempfile.mkdtemp(prefix="ebpfgen-rt-")
        pid = inside.first_process()
        env, log = stand_in_runtime(work, {"web.1": f"{pid} true 0123456789abcdef0123", "stopped": "0 false 42"})
        # What the name resolves to.
        r = run(["--targets", "--container", "web.1"], env=env)
        mount_ns = os.stat(f"/proc/{pid}/ns/mnt").st_ino
        check(r.returncode == 0, f"--targets: {r.returncode} {r.stderr}")
        check(f"container 'web.1' (docker, id 0123456789ab), first process {pid} (python3)" in r.stdout, r.stdout)
        check(f"mount namespace {mount_ns}: every process in the container" in r.stdout, r.stdout)
        check(logged_calls(log) == [["container", "inspect", "--format", INSPECT_FORMAT, "web.1"]],
              f"one argument vector, the name as one argument: {logged_calls(log)}")
        # The run: the container's requests and late children, none of the twin's.
        summary, _ = traced_run(inside, outside, ["--container", "web.1"], env=env)
        check_only_the_container(summary, inside, outside)
        # Errors: not running, not found, and a name no runtime is asked about.
        r = run(["--targets", "--container", "stopped"], env=env)
        check(r.returncode == 8 and r.stderr == "ebpfgen: error: container 'stopped' is not running (docker)\n",
              f"not running: {r.returncode} {r.stderr!r}")
        r = run(["--run", "-e", "on syscall read { count }", "--container", "db"], env=env)
        check(r.returncode == 8 and r.stderr == "ebpfgen: error: no running container named 'db' (asked docker)\n",
              f"not found: {r.returncode} {r.stderr!r}")
        calls = len(logged_calls(log))
        r = run(["--targets", "--container", "x;touch /tmp/ebpfgen-pwned"], env=env)
        check(r.returncode == 2 and "container name" in r.stderr, f"hostile name refused: {r.returncode} {r.stderr!r}")
        check(len(logged_calls(log)) == calls and not os.path.exists("/tmp/ebpfgen-pwned"),
              "and never handed to the runtime")
        shutil.rmtree(work, ignore_errors=True)
    with_boxes(body)


def lookup_errors_with_the_real_runtime_clis_none_can_run_here():
    need_tracing()
    r = run(["--targets", "-e", 'target container "web" runtime podman'])
    if shutil.which("podman"):
        check(r.returncode == 8 and "podman" in r.stderr, f"podman: {r.stderr!r}")
    else:
        check(r.returncode == 8 and r.stderr == "ebpfgen: error: container runtime 'podman' is not installed "
              "(not found on PATH)\n", f"runtime not installed: {r.returncode} {r.stderr!r}")
        r = run(["--targets", "--container", "web", "--runtime", "podman"])
        check(r.returncode == 8 and "'podman' is not installed" in r.stderr, f"--runtime: {r.stderr!r}")
    r = run(["--targets", "--container", "web"])
    if shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        check(r.returncode == 8 and r.stderr.startswith("ebpfgen: error: no running container named 'web' (asked docker")
              and "docker: Cannot connect to the Docker daemon" in r.stderr, f"docker without its daemon: {r.stderr!r}")
    elif not any(shutil.which(t) for t in ["docker", "podman", "nerdctl", "crictl"]):
        check(r.returncode == 8 and r.stderr == "ebpfgen: error: no container runtime is installed: looked for docker, "
              "podman, nerdctl and crictl on PATH\n", f"no runtime: {r.stderr!r}")
    else:
        check(r.returncode == 8, f"no container named web: {r.stderr!r}")
    print("lookup errors:", r.stderr.strip())


def pid_and_cgroup_errors_and_a_target_that_exits():
    need_tracing()
    r = run(["--run", "-e", "on syscall read { count }", "--pid", "999999"])
    check(r.returncode == 8 and r.stderr == "ebpfgen: error: no process 999999: it has ended, or never was\n",
          f"pid gone: {r.returncode} {r.stderr!r}")
    r = run(["--run", "-e", 'target cgroup "no/such/group" on syscall read { count }'])
    check(r.returncode == 8 and r.stderr == f"ebpfgen: error: cgroup 'no/such/group' does not exist: no directory "
          f"{cgroup2_mount()}/no/such/group\n", f"cgroup missing: {r.returncode} {r.stderr!r}")
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


CASES = {f.__name__: f for f in [pid_with_and_without_descendants, cgroup_target_counts_the_container_not_its_twin,
                                  container_target_by_mount_namespace_with_a_stand_in_runtime,
                                  lookup_errors_with_the_real_runtime_clis_none_can_run_here,
                                  pid_and_cgroup_errors_and_a_target_that_exits]}

if __name__ == "__main__":
    CASES[sys.argv[2]]()
