"""Validation against real servers: redis-server, nginx (two worker
processes) and memcached, each started on 127.0.0.1 and driven by
scripts/loadgen at three rates while `ebpfgen examples/request-metrics.obs
--run` traces it. Each server writes a log file meanwhile (redis its
append-only file, nginx its access log, memcached its -vv log), which must
not count as responses.

Checked at every rate, against the server's own count of requests served
over the traced interval (redis INFO, nginx access log lines, memcached
stats):
  - responses (receive -> send turns) equal it, within 0.5% + 2;
  - socket sends equal it too: log writes are not sends;
  - the paper's throughput of every full window is within 5% of the rate
    the server saw (its count / the load's duration);
and across rates: the slack (mean epoll_wait) falls as the load rises.
Both probe styles are validated alike: the socket tracepoints (the default)
and the send and receive syscalls (`option request_probes = syscall`).

Usage: servers.py EBPFGEN redis|nginx|memcached socket|syscall
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from nginx_conf import write_nginx_conf
from tracing import check, free_port, need_tracing, wait_for_port

EBPFGEN = os.path.realpath(sys.argv[1])
TOP = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..")
LOADGEN = os.path.join(TOP, "scripts", "loadgen")
SPEC = os.path.join(TOP, "examples", "request-metrics.obs")
RATES = [200, 800, 2000]
TRACE_SECONDS = 4     # the traced run: 4 windows of 1 s
LOAD_SECONDS = 3.5    # the load, inside the traced run






class Redis:
    protocol = "redis"

    def __init__(self, work, port):
        self.port = port
        self.proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                      "--appendonly", "yes", "--appendfsync", "no", "--dir", work],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.target = ["--pid", str(self.proc.pid)]

    def served(self):
        info = subprocess.run(["redis-cli", "-p", str(self.port), "info", "stats"], capture_output=True, text=True,
                              check=True).stdout
        return int(next(l.split(":")[1] for l in info.splitlines() if l.startswith("total_commands_processed:")))

    def log_written(self):
        return True  # the AOF records only writes; GETs leave it unchanged, its fsyncs still run


class Nginx:
    protocol = "http"

    def __init__(self, work, port):
        self.port = port
        self.log = os.path.join(work, "access.log")
        conf = write_nginx_conf(work, port)
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", work], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.target = ["--comm", "nginx"]  # master and workers

    def served(self):
        return sum(1 for _ in open(self.log)) if os.path.exists(self.log) else 0

    def log_written(self):
        return self.served() > 0


class Memcached:
    protocol = "memcached"

    def __init__(self, work, port):
        self.port = port
        self.log = os.path.join(work, "memcached.log")
        self.proc = subprocess.Popen(["memcached", "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-t", "2",
                                      "-u", "root", "-vv"], stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        self.target = ["--pid", str(self.proc.pid)]  # its worker threads have names of their own

    def served(self):
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(b"stats\r\n")
            data = b""
            while not data.endswith(b"END\r\n"):
                data += s.recv(65536)
        stats = dict(l.split()[1:3] for l in data.decode().splitlines() if l.startswith("STAT "))
        return int(stats["cmd_get"])

    def log_written(self):
        return os.path.getsize(self.log) > 0


def spec_for(probes, work):
    """The example's spec, with the probe style asked for."""
    path = os.path.join(work, "request-metrics.obs")
    with open(path, "w") as f:
        f.write(f"option request_probes = {probes}\n" + open(SPEC).read())
    return path


def traced_run(server, rate, spec):
    """Traces the server for TRACE_SECONDS while the load runs; returns (windows, summary, served, load)."""
    before = server.served()
    trace = subprocess.Popen([EBPFGEN, spec, "--run", "--format", "json", "--duration", f"{TRACE_SECONDS}s",
                              *server.target], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = trace.stderr.readline()
    if not line.startswith("Tracing "):
        trace.kill()
        raise AssertionError(f"ebpfgen did not start tracing: {line}{trace.stderr.read()}")
    time.sleep(0.1)
    load = subprocess.run([LOADGEN, "--protocol", server.protocol, "--port", str(server.port), "--rate", str(rate),
                           "--duration", str(LOAD_SECONDS), "--json"], capture_output=True, text=True, timeout=60)
    out, err = trace.communicate(timeout=60)
    check(trace.returncode == 0, f"ebpfgen --run exited {trace.returncode}: {err}")
    check(load.returncode == 0, f"loadgen ran: {load.stderr}")
    served = server.served() - before
    lines = [json.loads(l) for l in out.splitlines()]
    return [l for l in lines if "window" in l], lines[-1], served, json.loads(load.stdout)


def validate(kind, probes):
    work = tempfile.mkdtemp(prefix="ebpfgen-it-")
    spec = spec_for(probes, work)
    port = free_port()
    server = kind(work, port)
    try:
        wait_for_port(port)
        slack = []
        for rate in RATES:
            windows, summary, served, load = traced_run(server, rate, spec)
            responses, sends = summary["responses"], summary["sends"]
            print(f"rate {rate}/s: server {served}, responses {responses}, sends {sends}, "
                  f"loadgen {load['requests']} at {load['rate']:.0f}/s, slack {summary['slack_mean_us']:.0f} us, "
                  f"windows (s, sends) {[(round(w['seconds'], 2), w['sends']) for w in windows]}")
            tolerance = 2 + served * 0.005
            check(abs(responses - served) <= tolerance, f"{rate}/s: responses {responses} ~ served {served}")
            check(abs(sends - served) <= tolerance, f"{rate}/s: socket sends {sends} ~ served {served} (logs left out)")
            server_rate = served / load["seconds"]
            # The windows between the first and the last lie wholly inside the load.
            full = [w for w in windows[1:-1] if not w["final"]]
            check(len(full) >= 2, f"{rate}/s: at least two windows wholly under load ({len(full)})")
            for w in full:
                check(abs(w["rps"] - server_rate) <= 0.05 * server_rate,
                      f"{rate}/s: window {w['window']} rps {w['rps']:.0f} within 5% of the server's {server_rate:.0f}")
            slack.append(summary["slack_mean_us"])
        check(server.log_written(), "the server wrote its log meanwhile")
        check(slack[0] > slack[1] > slack[2], f"slack falls as load rises: {[round(s) for s in slack]} us")
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    need_tracing()
    validate({"redis": Redis, "nginx": Nginx, "memcached": Memcached}[sys.argv[2]], sys.argv[3])
