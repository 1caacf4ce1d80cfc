"""Integration cases: each compiles a spec, runs it under bpftrace against a
real workload, and checks exact values in what the program printed.

Usage: cases.py EBPFGEN CASE
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from tracing import Trace, check, free_port, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])


def hello_execve():
    """Per-event prints: one line per execve, with the filename read as a string."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    marker = os.path.join(work, "hello-marker")
    shutil.copy("/bin/true", marker)
    trace = Trace(EBPFGEN, 'duration 2s\non syscall execve { print "Hello, world!", comm, args.filename }').start()
    for _ in range(3):
        subprocess.run([marker], check=True)
    trace.wait()
    mine = [l for l in trace.printed() if l.endswith("args.filename=" + marker)]
    check(len(mine) == 3, f"three hello lines for three execs: {mine}")
    check(mine[0] == f"Hello, world! comm=python3 args.filename={marker}", f"line format: {mine[0]!r}")
    shutil.rmtree(work)


def exact_write_count():
    """A comm target and a filter on fd: dd's 500 one-byte writes to stdout, exactly."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    dd = os.path.join(work, "ebpfgen_dd")  # a name no other process has
    shutil.copy(shutil.which("dd"), dd)
    trace = Trace(EBPFGEN, 'target comm "ebpfgen_dd"\nduration 2s\non syscall write where fd == 1 { count }').start()
    subprocess.run([dd, "if=/dev/zero", "of=/dev/null", "bs=1", "count=500"], check=True, capture_output=True)
    trace.wait()
    shutil.rmtree(work)
    check(trace.total("@count") == 500, f"500 writes counted, got {trace.values('@count')}")


def pid_override_and_socket_filter():
    """--pid replaces the spec's target; `socket` tells socket fds from files."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    child = subprocess.Popen([sys.executable, "-c", """
import os, socket, sys
sys.stdin.readline()
a, b = socket.socketpair()
f = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT)
for _ in range(7): os.write(a.fileno(), b"x")
for _ in range(10): os.write(f, b"y")
""", os.path.join(work, "file")], stdin=subprocess.PIPE, text=True)
    spec = ('target comm "nobody-has-this"\nduration 2s\n'
            'on syscall write where socket { count as to_sockets }\n'
            'on syscall write where not socket { count as to_files }')
    trace = Trace(EBPFGEN, spec, "--pid", str(child.pid)).start()
    child.stdin.write("go\n")
    child.stdin.flush()
    child.wait()
    trace.wait()
    check(trace.total("@to_sockets") == 7, f"7 writes to the socket, got {trace.values('@to_sockets')}")
    check(trace.total("@to_files") == 10, f"10 writes to the file, got {trace.values('@to_files')}")
    shutil.rmtree(work)


def latency_histogram():
    """Entry-to-return pairing: a 300 ms sleep lands in the [256, 512) ms bucket."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    sleeper = os.path.join(work, "ebpfgen_sleep")  # a name no other process has
    shutil.copy(shutil.which("sleep"), sleeper)
    trace = Trace(EBPFGEN, 'target comm "ebpfgen_sleep"\nduration 2s\n'
                           'on syscall clock_nanosleep { hist latency in ms }').start()
    subprocess.run([sleeper, "0.3"], check=True)
    trace.wait()
    shutil.rmtree(work)
    hists = trace.values("@hist_latency_ms")
    check(hists == [[{"min": 256, "max": 511, "count": 1}]], f"one sleep in [256, 512) ms: {hists}")




def redis_commands(port):
    info = subprocess.run(["redis-cli", "-p", str(port), "info", "stats"], capture_output=True, text=True,
                          check=True).stdout
    return int(next(l.split(":")[1] for l in info.splitlines() if l.startswith("total_commands_processed:")))


def redis_request_metrics():
    """The request metrics against a real redis-server writing an append-only
    file: responses equal redis's own count, and file writes are not sends."""
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "yes", "--appendfsync", "no", "--dir", work],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        spec = open(os.path.join(os.path.dirname(__file__), "../../examples/request-metrics.obs")).read()
        trace = Trace(EBPFGEN, spec, "--pid", str(server.pid), "--duration", "4s").start()
        before = redis_commands(port)
        subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", "set", "-c", "1",
                        "-n", "5000", "-q"], check=True, capture_output=True)
        served = redis_commands(port) - before - 1  # less the INFO that read `before`
        trace.wait()
        # Responses are the latency histogram's total when both are asked for.
        latency = trace.cumulative("@request_latency_ns")
        responses = sum(latency.values())
        sends = trace.cumulative("@rps_sends")
        check(abs(responses - served) <= 2, f"responses {responses} match redis's count {served}")
        check(abs(sends - served) <= 2, f"socket sends {sends} match too: AOF file writes are not sends")
        check(os.path.getsize(os.path.join(work, "appendonly.aof")) > 5000 * 30
              if os.path.exists(os.path.join(work, "appendonly.aof"))
              else any(os.scandir(work)), "redis did write its append-only file meanwhile")
        # One receive per request; gaps never span a window's cut, so each of the 4 windows
        # has one gap less than its receives.
        gaps = trace.cumulative("@sat_gaps")
        check(responses - 4 <= gaps <= responses - 1, f"one inter-receive gap per request after the first: {gaps}")
        check(trace.cumulative("@slack_waits") > 0 and trace.cumulative("@slack_wait_ns") > 0,
              "epoll_wait durations were recorded")
        check(all(int(low) >= 0 for low in latency), "latency buckets are keyed by their lower bound in ns")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


CASES = {f.__name__: f for f in [hello_execve, exact_write_count, pid_override_and_socket_filter,
                                  latency_histogram, redis_request_metrics]}

if __name__ == "__main__":
    need_tracing()
    CASES[sys.argv[2]]()
