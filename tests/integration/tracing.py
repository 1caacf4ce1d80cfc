"""Runs generated programs under real bpftrace and reads what they print.

Used by the integration cases: compile a spec with ebpfgen, start bpftrace
with -f json, wait until its probes are attached, run a workload, and
collect every record bpftrace printed until it exits.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time


def need_tracing():
    """Skip (77) without root, bpftrace or tracefs; fail under CI=true."""
    why = None
    if os.geteuid() != 0:
        why = "needs root"
    elif not shutil.which("bpftrace"):
        why = "needs bpftrace (scripts/setup installs it)"
    elif not (os.path.isdir("/sys/kernel/tracing/events") or os.path.isdir("/sys/kernel/debug/tracing/events")):
        why = "needs tracefs: mount -t tracefs tracefs /sys/kernel/tracing"
    if why:
        if os.environ.get("CI") == "true":
            print(f"FAIL: this suite {why}, and CI must run it")
            sys.exit(1)
        print(f"SKIP: this suite {why}")
        sys.exit(77)



def need_program(name, suite="this suite"):
    """Skip (77) without a program (scripts/setup installs them all); fail under CI=true."""
    if shutil.which(name):
        return
    if os.environ.get("CI") == "true":
        print(f"FAIL: {suite} needs {name} (scripts/setup installs it), and CI must run it")
        sys.exit(1)
    print(f"SKIP: {suite} needs {name} (scripts/setup installs it)")
    sys.exit(77)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, ready, timeout=20):
    """Polls `ready()` (an OSError counts as not yet) until it is true, or fails after `timeout` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_port(port, timeout=10):
    import socket
    wait_for(f"something to listen on 127.0.0.1:{port}",
             lambda: socket.create_connection(("127.0.0.1", port), timeout=0.2).close() is None, timeout)


def http_get(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


# Accepts N connections on 127.0.0.1:PORT and holds each 20 ms before closing it.
HOLDING_SERVER = r"""
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
print("listening", flush=True)
for _ in range(int(sys.argv[2])):
    c, _ = s.accept()
    time.sleep(0.02)   # each connection lasts 20 ms
    c.close()
"""


def held_connections(python, n):
    """Runs HOLDING_SERVER with `python` (a copy or a link of a name the test traces by) and makes N
    connections to it, one after the other, each until the server closes it."""
    port = free_port()
    server = subprocess.Popen([python, "-c", HOLDING_SERVER, str(port), str(n)], stdout=subprocess.PIPE, text=True)
    check(server.stdout.readline() == "listening\n", "the server listens")
    import socket
    for _ in range(n):
        with socket.create_connection(("127.0.0.1", port)) as c:
            c.recv(1)  # until the server closes it
    check(server.wait(timeout=30) == 0, f"the server served {n} connections")


def held_bpf_ids(pid, field):
    """The ids of the BPF objects (field "map_id:" or "prog_id:") that process `pid` holds open."""
    ids = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                ids.update(int(l.split()[1]) for l in f if l.startswith(field))
        except OSError:
            pass
    return ids


def held_bpf_map(pid, kernel_name):
    """bpftool's description of the one map named `kernel_name` (15 characters at most) that
    process `pid` holds: other tracers on the machine may have a map of that name."""
    ids = held_bpf_ids(pid, "map_id:")
    maps = json.loads(subprocess.run(["bpftool", "map", "show", "-j"], capture_output=True, text=True,
                                     check=True).stdout)
    mine = [m for m in maps if m["id"] in ids and m.get("name") == kernel_name]
    check(len(mine) == 1, f"process {pid} holds one {kernel_name} map: {mine}")
    return mine[0]


def stop_all(procs):
    """SIGTERM, then SIGKILL after 10 s, for each process still running."""
    import signal
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


class Trace:
    """One bpftrace run of a program compiled from a spec."""

    def __init__(self, ebpfgen, spec_text, *args):
        self.work = tempfile.mkdtemp(prefix="ebpfgen-it-")
        spec = os.path.join(self.work, "spec.obs")
        with open(spec, "w") as f:
            f.write(spec_text)
        self.program = os.path.join(self.work, "program.bt")
        with open(self.program, "w") as out:
            subprocess.run([ebpfgen, spec, "--emit", *args], stdout=out, check=True)
        self.records = []
        self.attached = threading.Event()

    def start(self, *bpftrace_args):
        self.proc = subprocess.Popen(["bpftrace", "-f", "json", self.program, *bpftrace_args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.attached.wait(timeout=30):
            self.proc.kill()
            raise AssertionError("bpftrace did not attach: " + self.proc.stderr.read())
        return self

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            self.records.append(record)
            # The program's BEGIN line: every probe is attached.
            if record.get("type") == "printf" and record["data"].startswith("Tracing "):
                self.attached.set()

    def wait(self, timeout=30):
        """Waits for the program to end by itself (its spec has a duration)."""
        try:
            self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self.reader.join(timeout=5)
        shutil.rmtree(self.work, ignore_errors=True)
        errors = [l for l in self.proc.stderr.read().splitlines() if "RLIMIT_MEMLOCK" not in l]
        if self.proc.returncode != 0:
            raise AssertionError(f"bpftrace exited {self.proc.returncode}: {errors}")
        return self

    def printed(self):
        """The lines printf printed, in order, less BEGIN's line and the program's cut marks."""
        marks = ("Tracing ", "run_start ", "window_end ", "run_end ")
        return [r["data"].rstrip("\n") for r in self.records
                if r["type"] == "printf" and not r["data"].startswith(marks)]

    def values(self, name):
        """Every value printed for map `name` (scalar maps, counts, sums...)."""
        out = []
        for r in self.records:
            if r["type"] in ("map", "stats", "hist") and name in r["data"]:
                out.append(r["data"][name])
        return out

    def total(self, name):
        """The sum over all windows of a scalar count or sum map that is cleared every window."""
        return sum(v for v in self.values(name) if isinstance(v, int))

    def cumulative(self, name):
        """The final value of a request metric's map, which is never cleared before END:
        the largest count printed, or the last keyed map that was not empty."""
        values = self.values(name)
        if any(isinstance(v, dict) for v in values):
            return next((v for v in reversed(values) if isinstance(v, dict) and v), {})
        return max((v for v in values if isinstance(v, int)), default=0)


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok:", message)
