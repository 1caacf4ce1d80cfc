"""A fleet of three nodes on this machine, scraped by one real Prometheus.

Each node is a network namespace made by the test (its own loopback and a
veth link to the host, 10.251.N.2), holding its own redis-server, its own
client and its own `ebpfgen --run --serve 10.251.N.2:9464 --node node-N`.
One Prometheus on the host scrapes the three and evaluates
deploy/rules.yml. The fleet-wide sum of responses must equal the sum of the
loads sent (500 + 1000 + 1500 requests, one at a time), each node's its own
load, and the recording rules must produce the fleet's rate and latency
percentiles. What this cannot show: Kubernetes itself (no cluster runs here;
deploy/daemonset.yaml's privileges were measured by hand with setpriv, and
Debian's Prometheus has no Kubernetes discovery).

Usage: fleet.py EBPFGEN CASE
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from tracing import check, free_port, http_get, need_program, need_tracing, stop_all, wait_for

EBPFGEN = os.path.realpath(sys.argv[1])
TOP = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..")
LOADS = {1: 500, 2: 1000, 3: 1500}
CLIENT = r"""
import socket, sys, time
count = int(sys.argv[1])
deadline = time.time() + 10
while True:
    try:
        s = socket.create_connection(("127.0.0.1", 6379), timeout=1)
        break
    except OSError:
        if time.time() > deadline:
            raise
        time.sleep(0.05)
for _ in range(count):
    s.sendall(b"PING\r\n")
    reply = b""
    while not reply.endswith(b"\r\n"):
        reply += s.recv(64)
s.close()
"""


def sh(*args):
    subprocess.run(args, check=True, capture_output=True, text=True)


def in_node(ns):
    """A command's prefix to run in a node's network namespace. Not `ip netns exec`,
    which mounts a new /sys where tracefs is missing."""
    return ["nsenter", f"--net=/run/netns/{ns}", "--"]


def make_node(n):
    ns = f"ebpfgen-fleet-{n}"
    subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # leftovers of an interrupted run
    subprocess.run(["ip", "link", "del", f"veth-fleet-{n}"], capture_output=True)
    sh("ip", "netns", "add", ns)
    sh("ip", "link", "add", f"veth-fleet-{n}", "type", "veth", "peer", "name", "eth0", "netns", ns)
    sh("ip", "addr", "add", f"10.251.{n}.1/24", "dev", f"veth-fleet-{n}")
    sh("ip", "link", "set", f"veth-fleet-{n}", "up")
    sh("ip", "-n", ns, "addr", "add", f"10.251.{n}.2/24", "dev", "eth0")
    sh("ip", "-n", ns, "link", "set", "eth0", "up")
    sh("ip", "-n", ns, "link", "set", "lo", "up")
    return ns


def fleet_sum_equals_the_loads():
    """Three nodes, three loads; Prometheus's fleet-wide sum is exactly 3000 responses."""
    work = tempfile.mkdtemp(prefix="ebpfgen-fleet-")
    procs, namespaces = [], []
    try:
        for n in LOADS:
            namespaces.append(make_node(n))
        prom_port = free_port()
        shutil.copy(os.path.join(TOP, "deploy", "rules.yml"), os.path.join(work, "rules.yml"))
        targets = ", ".join(f"'10.251.{n}.2:9464'" for n in LOADS)
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 500ms\n  scrape_timeout: 400ms\n  evaluation_interval: 1s\n"
                    "rule_files:\n  - rules.yml\n"
                    f"scrape_configs:\n  - job_name: ebpfgen\n    static_configs:\n      - targets: [{targets}]\n")
        r = subprocess.run(["promtool", "check", "config", os.path.join(work, "prometheus.yml")],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"promtool accepts the fleet's configuration and deploy/rules.yml: {r.stdout}{r.stderr}")
        prom = subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/data",
                                 f"--web.listen-address=127.0.0.1:{prom_port}"],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
        procs.append(prom)
        wait_for("prometheus", lambda: "Ready" in http_get(f"http://127.0.0.1:{prom_port}/-/ready"))

        tracers = {}
        for n, ns in zip(LOADS, namespaces):
            redis = subprocess.Popen([*in_node(ns), "redis-server", "--bind", "127.0.0.1", "--port", "6379",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(redis)  # nsenter execs redis-server: this is its pid
            run = subprocess.Popen([*in_node(ns), EBPFGEN, "--run", "--pid", str(redis.pid),
                                    "--serve", f"10.251.{n}.2:9464", "--node", f"node-{n}", "--format", "json",
                                    "-e", "window 1s duration 14s\nmetrics responses, latency"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            procs.append(run)
            check(run.stderr.readline() == f"ebpfgen: metrics at http://10.251.{n}.2:9464/metrics\n",
                  f"node-{n} serves on its own address")
            check(run.stderr.readline().startswith("Tracing "), f"node-{n} traces its redis-server")
            tracers[n] = run
        def query(expr):
            body = json.loads(http_get(f"http://127.0.0.1:{prom_port}/api/v1/query?" +
                                       urllib.parse.urlencode({"query": expr})))
            check(body["status"] == "success", f"{expr}: {body['status']}")
            return body["data"]["result"]

        # Prometheus has scraped every node before the loads, so the rates start from 0.
        wait_for("a first scrape of every node", lambda: len(query("ebpfgen_responses_total == 0")) == len(LOADS), 30)
        clients = [subprocess.Popen([*in_node(ns), sys.executable, "-c", CLIENT, str(LOADS[n])])
                   for n, ns in zip(LOADS, namespaces)]
        for c in clients:
            check(c.wait(timeout=60) == 0, "each node's load was sent")
        summaries = {}
        for n, run in tracers.items():
            out, err = run.communicate(timeout=60)
            check(run.returncode == 0, f"node-{n}'s ebpfgen exits 0: {err}")
            summaries[n] = json.loads(out.splitlines()[-1])
        check({n: s["responses"] for n, s in summaries.items()} == LOADS,
              f"each node counted its own load: {({n: s['responses'] for n, s in summaries.items()})}")

        per_node = {r["metric"]["node"]: r["value"][1]
                    for r in query("max_over_time(ebpfgen_responses_total[5m])")}
        check(per_node == {f"node-{n}": str(v) for n, v in LOADS.items()}, f"Prometheus has each node's count: {per_node}")
        fleet = query("sum(max_over_time(ebpfgen_responses_total[5m]))")
        check(len(fleet) == 1 and fleet[0]["value"][1] == "3000", f"the fleet-wide sum is the loads' 3000: {fleet}")
        for rule in ["fleet:ebpfgen_responses:rate1m", "fleet:ebpfgen_request_duration_seconds:p99_1m"]:
            peak = query(f"max_over_time({rule}[5m])")
            check(len(peak) == 1 and float(peak[0]["value"][1]) > 0, f"the recording rule {rule} was evaluated: {peak}")
        up = query("max_over_time(fleet:ebpfgen_up:sum[5m])")
        check(len(up) == 1 and up[0]["value"][1] == "3", f"three nodes were up at once: {up}")
    finally:
        stop_all(procs)
        for ns in namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


CASES = {f.__name__: f for f in [fleet_sum_equals_the_loads]}

if __name__ == "__main__":
    need_tracing()
    need_program("prometheus")
    need_program("promtool")
    CASES[sys.argv[2]]()
