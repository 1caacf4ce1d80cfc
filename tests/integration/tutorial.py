"""The tutorial's exercises (examples/tutorial/, docs/TUTORIAL.md), each run for real as it is written, with
only its target (a container of this test's own) and its duration given on the command line.

The containers are real podman containers (podman_setup.py), on the host's network:

- web: a small HTTP server in Python (WEB_PY below). Its first process forks two workers, which accept on
  one listening socket and serve their connections on an epoll loop each: recv (the recvfrom syscall),
  then sendall (sendto), as a latency-critical server does. The first process touches no socket after
  that, so a tracer that filters the container's main pid sees none of its requests. A twin of it runs on
  the host, by the same process names, and takes the same requests at the same time.
- rpc: tests/workloads/stream_server (C++), only inside the image, at /opt/rpc/bin, on the image's PATH.
  A second container of the image runs the same calls at the same time.

Each case works out what the output must be without ebpfgen: from the requests and calls its workload
makes, the container's processes as the host's /proc shows them, and podman inspect.

Usage: tutorial.py EBPFGEN STREAM_SERVER CASE
       tutorial.py images STREAM_SERVER   (as root) makes the tutorial's two images for trying the examples
                                          by hand, and prints how to start their containers
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import podman_setup
from tracing import check, free_port, need_tracing, wait_for_port

EXAMPLES = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "examples", "tutorial")
HOST_PYTHON = "/usr/bin/python3.11"  # Debian's, copied into the web image as /usr/bin/python3
# Its standard library, bound read-only into the web container rather than copied into the image (40 MB).
PYTHON_LIB = ["-v", "/usr/lib/python3.11:/usr/lib/python3.11:ro"]
RPC_BIN = "/opt/rpc/bin"

WEB_PY = r'''# web.py PORT: HTTP on 127.0.0.1:PORT; the first process ("web") forks two workers ("web-worker"),
# each serving its connections on an epoll loop: recv (recvfrom), then sendall (sendto) of the answer.
import os, selectors, signal, socket, sys

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"


def worker(listener):
    open("/proc/self/comm", "w").write("web-worker")
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    unread = {}
    while True:
        for key, _ in sel.select():
            if key.fileobj is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:  # the other worker took it
                    continue
                sel.register(conn, selectors.EVENT_READ)
                unread[conn] = b""
                continue
            conn = key.fileobj
            data = conn.recv(4096)
            if not data:
                sel.unregister(conn)
                del unread[conn]
                conn.close()
                continue
            unread[conn] += data
            while b"\r\n\r\n" in unread[conn]:
                unread[conn] = unread[conn].split(b"\r\n\r\n", 1)[1]
                conn.sendall(ANSWER)


open("/proc/self/comm", "w").write("web")
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])), backlog=128)
listener.setblocking(False)
workers = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        worker(listener)
    workers.append(pid)
listener.close()


def stop(*_):
    for pid in workers:
        os.kill(pid, signal.SIGTERM)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
os.wait()
stop()
'''
WEB = "#!/bin/sh\n# web PORT\nexec python3 -I -S /srv/web.py \"$@\"\n"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"


class Tutorial(podman_setup.Podman):
    """The test's containers and images, named ebpfgen-tutorial-WHAT-PID (or, for a reader's images,
    ebpfgen-tutorial-WHAT, as the examples name them)."""

    def __init__(self, fixed_names=False):
        super().__init__()
        self.fixed_names = fixed_names

    def name(self, what):
        return f"ebpfgen-tutorial-{what}" if self.fixed_names else f"ebpfgen-tutorial-{what}-{self.owner}"

    def web_image(self):
        return self.image("web", programs=[(HOST_PYTHON, "/usr/bin/python3")],
                          files={"/srv/web.py": WEB_PY, "/usr/local/bin/web": WEB})

    def rpc_image(self, stream_server):
        return self.image("rpc", programs=[(stream_server, f"{RPC_BIN}/stream_server")],
                          env={"PATH": f"{RPC_BIN}:/bin"})


def example(name):
    return os.path.realpath(os.path.join(EXAMPLES, name))


class Run:
    """`ebpfgen EXAMPLE --run ARGS...`, started and waited for until it traces."""

    def __init__(self, ebpfgen, name, *args):
        self.proc = subprocess.Popen([ebpfgen, example(name), "--run", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.started = time.monotonic()
        self.first = self.proc.stderr.readline()
        if not self.first.startswith("Tracing "):
            self.proc.kill()
            raise AssertionError(f"ebpfgen did not start tracing: {self.first}{self.proc.stderr.read()}")

    def finish(self):
        out, err = self.proc.communicate(timeout=60)
        self.seconds = time.monotonic() - self.started
        print(f"--- {self.seconds:.1f} s, exit status {self.proc.returncode}; stdout:\n{out}--- stderr:\n"
              f"{self.first}{err}---")
        check(self.proc.returncode == 0, f"ebpfgen --run exited 0: {self.proc.returncode}")
        self.stderr = self.first + err
        return out


def events(out):
    """The event lines of a table report: the lines before the summary, less its blank line."""
    return [l for l in out.split("\n== summary")[0].splitlines() if l]


def hello_execve_of_a_launched_program():
    """1-hello-execve.obs over the whole system: one line per execve, with the caller's comm and the program;
    a shell started during the run, by a name of its own, runs a program of its own 5 times."""
    need_tracing()
    work = tempfile.mkdtemp(prefix="ebpfgen-tutorial-")
    try:
        hello, launcher = os.path.join(work, "hello"), os.path.join(work, "launcher")
        os.symlink("/bin/true", hello)
        os.symlink("/bin/sh", launcher)  # its processes are named after the file the shell was started by
        run = Run(EBPFGEN, "1-hello-execve.obs", "--duration", "2s")
        subprocess.run([launcher, "-c", f"for i in 1 2 3 4 5; do {hello}; done"], check=True, timeout=10)
        lines = events(run.finish())
        shape = re.compile(r"Hello, world! comm=.+ args\.filename=.*")
        check(lines and all(shape.fullmatch(l) for l in lines),
              f"{len(lines)} lines, each 'Hello, world! comm=COMM args.filename=PATH': "
              f"{[l for l in lines if not shape.fullmatch(l)][:3]}")
        mine = [l for l in lines if work in l]
        me = open("/proc/self/comm").read().strip()
        # bpftrace reads each CPU's events in turn, so lines of events on different CPUs may come out of order.
        check(sorted(mine) == sorted([f"Hello, world! comm={me} args.filename={launcher}"] +
                                     [f"Hello, world! comm=launcher args.filename={hello}"] * 5),
              f"this test ({me}) started the shell, which started hello 5 times: {mine}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Web:
    """The web server: in a container of the test (pm given), or as its twin on the host."""

    def __init__(self, pm=None, image=None):
        self.port = free_port()
        self.work = None
        if pm:
            self.name = pm.name("web")
            pm.run("web", image, "web", str(self.port), options=PYTHON_LIB)
            self.pid = pm.wait_running(self.name)
            self.proc = None
        else:
            self.work = tempfile.mkdtemp(prefix="ebpfgen-tutorial-web-")
            with open(os.path.join(self.work, "web.py"), "w") as f:
                f.write(WEB_PY)
            self.proc = subprocess.Popen([HOST_PYTHON, "-I", "-S", os.path.join(self.work, "web.py"),
                                          str(self.port)])
            self.pid = self.proc.pid
        wait_for_port(self.port)

    def processes(self):
        """{pid: comm} of the server's processes, from the host's /proc: in the container, those of its mount
        namespace; on the host, the first process and its children."""
        mnt = os.readlink(f"/proc/{self.pid}/ns/mnt")
        found = {}
        for p in filter(str.isdigit, os.listdir("/proc")):
            try:
                if self.proc is None:
                    ours = os.readlink(f"/proc/{p}/ns/mnt") == mnt
                else:
                    parent = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1]
                    ours = int(p) == self.pid or parent == str(self.pid)
                if ours:
                    found[int(p)] = open(f"/proc/{p}/comm").read().strip()
            except OSError:
                pass
        return found

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.work:
            shutil.rmtree(self.work, ignore_errors=True)


def request(sock):
    sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    got = b""
    while len(got) < len(ANSWER):
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += chunk
    if got != ANSWER:
        raise AssertionError(f"unexpected answer {got!r}")


def server_end(client, web):
    """(pid, fd) of the process of WEB that holds the server's end of CLIENT's connection: the socket's inode
    from /proc/net/tcp (the container is on the host's network), then the fd that names it in /proc/PID/fd."""
    mine, peer = client.getsockname()[1], client.getpeername()[1]
    inode = None
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == peer and int(f[2].split(":")[1], 16) == mine:
            inode = f[9]
    for pid in web.processes():
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid, int(fd)
            except OSError:
                pass
    raise AssertionError(f"no process of the server holds socket {inode} of port {peer}")


def with_web(body):
    """BODY(pm, inside, outside): the web container and its twin on the host, both removed after."""
    need_tracing()
    podman_setup.prepare()
    with Tutorial() as pm:
        podman_setup.with_twins(pm, lambda: Web(pm, pm.web_image()), Web, body)


def container_recv_send_of_five_requests():
    """2-container-recv-send.obs: a client sends 5 requests on one connection to the container's server and
    to its twin. Exactly the container's 5 recvfrom and 5 sendto, then the recvfrom of the hang-up, in that
    order, each with the pid and fd that the host's /proc shows for the server's end of the connection, a
    worker's, not the container's first process."""
    def body(pm, inside, outside):
        processes = inside.processes()
        check(sorted(processes.values()) == ["web", "web-worker", "web-worker"] and
              processes[inside.pid] == "web", f"the container's processes, from /proc: {processes}")
        run = Run(EBPFGEN, "2-container-recv-send.obs", "--container", inside.name, "--runtime", "podman", "--duration", "3s")
        check(run.first == f'Tracing container "{inside.name}" (podman), by its mount namespace, given as $1 '
              "when run. Hit Ctrl-C to end.\n", f"the container given, by podman: {run.first!r}")
        ends = {}
        for web in (inside, outside):
            with socket.create_connection(("127.0.0.1", web.port), timeout=10) as client:
                for i in range(5):
                    request(client)
                    if i == 0:
                        ends[web] = server_end(client, web)
        (pid, fd), (twin_pid, _) = ends[inside], ends[outside]
        print(f"server's end: container pid {pid} fd {fd}; twin pid {twin_pid}")
        check(pid != inside.pid and processes[pid] == "web-worker", "a worker serves the connection")
        lines = events(run.finish())
        shape = re.compile(r"pid=(\d+) timestamp_ns=(\d+) comm=(\S+) fd=(\d+) syscall=(recvfrom|sendto)")
        parsed = [shape.fullmatch(l) for l in lines]
        check(all(parsed), f"each line 'pid=N timestamp_ns=T comm=C fd=F syscall=S': "
              f"{[l for l, m in zip(lines, parsed) if not m][:3]}")
        # In the order of their timestamps: bpftrace reads each CPU's events in turn.
        parsed.sort(key=lambda m: int(m[2]))
        check([(int(m[1]), m[3], int(m[4])) for m in parsed] == [(pid, "web-worker", fd)] * 11,
              f"11 events, all of worker {pid} on fd {fd}; none of the first process {inside.pid} nor the twin's "
              f"{twin_pid}: {[(m[1], m[3], m[4]) for m in parsed]}")
        check([m[5] for m in parsed] == ["recvfrom", "sendto"] * 5 + ["recvfrom"],
              "recvfrom then sendto for each request, then the recvfrom that reads the hang-up")
        stamps = [int(m[2]) for m in parsed]
        check(len(set(stamps)) == 11 and stamps[-1] - stamps[0] < 3 * 10**9, "11 timestamps, all within the run")
    with_web(body)


def cxx_uprobe_in_a_container_of_an_image():
    """3-cxx-uprobe-in-container.obs: stream_server exists only in the image; the spec names it by its name on
    the container's PATH and the constructor rpc::Stream::Stream by its C++ name. 5 pairs of streams: 10
    lines, stream ids 0 to 9 (arg1; arg0 is this) in order, with the pid podman gives for the container's
    process, and @streams 10. A second container of the image makes 6 at the same time, not counted."""
    need_tracing()
    podman_setup.prepare()
    inner = f"{RPC_BIN}/stream_server"
    with Tutorial() as pm:
        image = pm.rpc_image(STREAM_SERVER)
        rpc, twin = (pm.run(what, image, "stream_server", "--wait-stdin", n, options=["-i"], detach=False,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                     for what, n in (("rpc", "5"), ("twin", "3")))
        pid = pm.wait_running(pm.name("rpc"))
        pm.wait_running(pm.name("twin"))
        check(not os.path.exists(inner) and not shutil.which("stream_server"),
              f"{inner} is not on the host, nor stream_server on its PATH")
        run = Run(EBPFGEN, "3-cxx-uprobe-in-container.obs", "--container", pm.name("rpc"), "--runtime", "podman", "--duration", "5s")
        for p in (twin, rpc):
            p.stdin.write("go\n")
            p.stdin.flush()
        check([p.stdout.read().strip() for p in (rpc, twin)] == ["done 10", "done 6"], "both ran their calls")
        for p in (rpc, twin):
            p.wait(timeout=30)
        out = run.finish()
        lines = events(out)
        expected = [f"pid={pid} comm=stream_server func=rpc::Stream::Stream arg1={i}" for i in range(10)]
        check(sorted(lines) == sorted(expected),
              f"one line per constructor call, ids 0 to 9, of process {pid} (in any order: bpftrace reads "
              f"each CPU's events in turn): {lines}")
        check("\n@streams: 10\n" in out, "counted: 10, not the other container's 6")
        check(f"ebpfgen: container '{pm.name('rpc')}' exited; the run ends here\n" in run.stderr,
              "the run ended with the container")


def request_metrics_of_the_container_server():
    """4-request-metrics.obs: 300 requests on 3 connections, each every 15 ms, to the container's server and
    as many to its twin: responses 300, sends 300 and 300 latencies, the windows adding up to them; rps, the
    sends over the time between the first and the last, as the client's own clock has its answers."""
    def body(pm, inside, outside):
        run = Run(EBPFGEN, "4-request-metrics.obs", "--container", inside.name, "--runtime", "podman",
                  "--duration", "3s", "--format", "json")
        answered = {inside.port: [], outside.port: []}

        def load(port):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                began = time.monotonic()
                for i in range(100):
                    time.sleep(max(0.0, began + i * 0.015 - time.monotonic()))
                    request(client)
                    answered[port].append(time.monotonic())
        loads = [threading.Thread(target=load, args=(web.port,)) for web in (inside, outside) for _ in range(3)]
        for t in loads:
            t.start()
        for t in loads:
            t.join(timeout=30)
        times = sorted(answered[inside.port])
        check([len(a) for a in answered.values()] == [300, 300], "every request was answered")
        out = [json.loads(l) for l in run.finish().splitlines()]
        windows, summary = [o for o in out if "window" in o], out[-1]
        print(json.dumps({k: v for k, v in summary.items() if k != "maps"}))
        check(summary.get("summary") is True and (summary["responses"], summary["sends"],
                                                   summary["latency_us"]["count"]) == (300, 300, 300),
              f"responses, sends and latencies: the container's 300 each, none of the twin's: "
              f"{summary['responses']}, {summary['sends']}, {summary['latency_us']['count']}")
        check(len(windows) >= 3 and sum(w["responses"] for w in windows) == 300 and
              sum(w["sends"] for w in windows) == 300,
              f"the windows add up to the run: {[(w['responses'], w['sends']) for w in windows]}")
        client_rate = (len(times) - 1) / (times[-1] - times[0])
        check(abs(summary["rps"] - client_rate) < 0.02 * client_rate,
              f"rps {summary['rps']:.1f}/s within 2% of the client's answers' rate, {client_rate:.1f}/s")
    with_web(body)


def make_images():
    """The two images for a reader, named as the examples name their containers."""
    podman_setup.prepare()
    pm = Tutorial(fixed_names=True)
    # Owned by pid 1, which never ends: the tests' clean-up of images whose test has ended leaves these.
    pm.owner = "1"
    web, rpc = pm.web_image(), pm.rpc_image(STREAM_SERVER)
    print(f"""
export CONTAINERS_CONF={podman_setup.CONTAINERS_CONF}   # as podman_setup.py prepare says
podman run -d --name ebpfgen-tutorial-web --network host {' '.join(PYTHON_LIB)} {web} web 8080
podman run -i --rm --name ebpfgen-tutorial-rpc {rpc} stream_server --wait-stdin 3
# afterwards: podman rm -f ebpfgen-tutorial-web; podman rmi {web} {rpc}""")


CASES = {f.__name__: f for f in [hello_execve_of_a_launched_program, container_recv_send_of_five_requests,
                                  cxx_uprobe_in_a_container_of_an_image, request_metrics_of_the_container_server]}

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "images":
        STREAM_SERVER = os.path.realpath(sys.argv[2])
        make_images()
        sys.exit(0)
    if len(sys.argv) != 4 or sys.argv[3] not in CASES:
        print(__doc__.split("Usage: ")[1], file=sys.stderr)
        sys.exit(2)
    EBPFGEN, STREAM_SERVER = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    CASES[sys.argv[3]]()
