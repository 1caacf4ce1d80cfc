"""Export cases: a real Prometheus (Debian's package, started by the test on
127.0.0.1) scrapes `ebpfgen --run --serve` while a client sends a known
number of requests to a real redis-server, and Prometheus's HTTP API must
answer with exactly that many responses; promtool (Prometheus's own
checker) must accept what /metrics served and what --textfile wrote.

Usage: export.py EBPFGEN CASE
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from tracing import check, free_port, http_get, need_program, need_tracing, stop_all, wait_for

EBPFGEN = os.path.realpath(sys.argv[1])
CONNECTIONS = 3
REQUESTS = 1000  # per connection, one at a time: 3000 receive -> send turns










def pings(port, count):
    """`count` PINGs on one connection, each answered before the next: `count` turns."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        for _ in range(count):
            s.sendall(b"PING\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                reply += s.recv(64)
            assert reply == b"+PONG\r\n", reply


def promtool_accepts(text, what):
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, f"promtool check metrics accepts {what}: {r.stdout}{r.stderr}")


def prometheus_scrapes_exact_responses():
    """Prometheus scrapes --serve every 0.5 s; after 3 x 1000 PINGs its API answers 3000 responses."""
    work = tempfile.mkdtemp(prefix="ebpfgen-export-")
    procs = []
    try:
        redis_port, serve_port, prom_port = free_port(), free_port(), free_port()
        redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(redis)
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 500ms\n  scrape_timeout: 400ms\n"
                    "scrape_configs:\n  - job_name: ebpfgen\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{serve_port}']\n")
        prom = subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
                                 f"--storage.tsdb.path={work}/data", f"--web.listen-address=127.0.0.1:{prom_port}"],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
        procs.append(prom)
        api = f"http://127.0.0.1:{prom_port}/api/v1/"
        wait_for("prometheus", lambda: "Ready" in http_get(f"http://127.0.0.1:{prom_port}/-/ready"))
        wait_for("redis", lambda: socket.create_connection(("127.0.0.1", redis_port), timeout=0.2).close() is None)

        textfiles = os.path.join(work, "textfiles")
        os.mkdir(textfiles)
        run = subprocess.Popen([EBPFGEN, "--run", "--pid", str(redis.pid), "--serve", f"127.0.0.1:{serve_port}",
                                "--textfile", textfiles, "--node", "node-a", "--format", "json",
                                "-e", "window 1s duration 8s\nmetrics rps, responses, latency"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(run)
        check(run.stderr.readline() == f"ebpfgen: metrics at http://127.0.0.1:{serve_port}/metrics\n",
              "ebpfgen says where it serves")
        check(run.stderr.readline().startswith("Tracing "), "ebpfgen says when tracing starts")
        for _ in range(CONNECTIONS):
            pings(redis_port, REQUESTS)
        time.sleep(2.5)  # two more windows, each scraped several times
        served = http_get(f"http://127.0.0.1:{serve_port}/metrics")
        promtool_accepts(served, "/metrics")
        check(f'ebpfgen_responses_total{{target="process {redis.pid} and its threads",node="node-a"}} 3000\n' in served,
              "/metrics counts 3000 responses")
        out, err = run.communicate(timeout=30)
        check(run.returncode == 0, f"ebpfgen exits 0: {err}")
        summary = json.loads(out.splitlines()[-1])
        check(summary["responses"] == 3000, f"the summary counts 3000 responses: {summary['responses']}")

        def query(expr):
            body = json.loads(http_get(api + "query?" + urllib.parse.urlencode({"query": expr})))
            check(body["status"] == "success", f"{expr}: {body}")
            return body["data"]["result"]

        result = query('max_over_time(ebpfgen_responses_total{job="ebpfgen",node="node-a"}[5m])')
        check(len(result) == 1 and result[0]["value"][1] == "3000",
              f"Prometheus's API answers 3000 responses: {result}")
        result = query("max_over_time(ebpfgen_request_duration_seconds_count[5m])")
        check(len(result) == 1 and result[0]["value"][1] == "3000", f"and 3000 request durations: {result}")
        result = query('max_over_time(ebpfgen_request_duration_seconds_bucket{le="+Inf"}[5m])')
        check(len(result) == 1 and result[0]["value"][1] == "3000", f"whose +Inf bucket holds them all: {result}")
        scrapes = query('count_over_time(up{job="ebpfgen"}[5m])')
        check(len(scrapes) == 1 and int(scrapes[0]["value"][1]) >= 4, f"scraped again and again: {scrapes}")

        # node_exporter's textfile: written atomically at every window; at the end, up is 0.
        names = os.listdir(textfiles)
        check(names == ["ebpfgen__command_line_.prom"], f"one textfile, no temporary left: {names}")
        final = open(os.path.join(textfiles, names[0])).read()
        promtool_accepts(final, "the textfile")
        check('ebpfgen_up{target="process %d and its threads",node="node-a"} 0\n' % redis.pid in final,
              "the textfile says the run ended")
        check('ebpfgen_responses_total{target="process %d and its threads",node="node-a"} 3000\n' % redis.pid in final,
              "the textfile counts 3000 responses")
    finally:
        stop_all(procs)
        shutil.rmtree(work, ignore_errors=True)


def serve_errors():
    """A port already taken and a bad address: clear errors, exit 2, before bpftrace starts."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([EBPFGEN, "--run", "--serve", str(port), "-e", "duration 1s on syscall getpid { count }"],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode == 2, f"exit status 2: {r.returncode}")
        check(r.stderr == f"ebpfgen: error: --serve {port}: cannot listen on 127.0.0.1 port {port}: "
                          "Address already in use\n", f"the port is taken: {r.stderr!r}")
    r = subprocess.run([EBPFGEN, "--run", "--serve", "99999", "-e", "duration 1s on syscall getpid { count }"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and r.stderr == "ebpfgen: error: --serve takes [ADDRESS:]PORT, a port from 1 to 65535 "
          "(e.g. 9464 or 0.0.0.0:9464)\n", f"a bad port: {r.returncode} {r.stderr!r}")
    r = subprocess.run([EBPFGEN, "--emit", "--serve", "9464", "-e", "on syscall getpid { count }"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and r.stderr == "ebpfgen: error: --serve and --textfile export what --run measures: "
          "add --run\n", f"--serve without --run: {r.returncode} {r.stderr!r}")
    r = subprocess.run([EBPFGEN, "--run", "--textfile", "/proc/no-such-dir", "-e", "duration 1s on syscall getpid { count }"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and r.stderr == "ebpfgen: error: --textfile /proc/no-such-dir: cannot write in it: "
          "No such file or directory\n", f"an unwritable textfile directory: {r.returncode} {r.stderr!r}")


CASES = {f.__name__: f for f in [prometheus_scrapes_exact_responses, serve_errors]}

if __name__ == "__main__":
    need_tracing()
    need_program("prometheus")
    need_program("promtool")
    CASES[sys.argv[2]]()
