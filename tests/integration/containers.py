"""Container targets against real podman containers (tests/integration/podman_setup.py).

The container runs two servers, each writing a line per request into a
folder the test reads: nginx with two worker processes, and busybox httpd,
which forks a process for every connection (so processes that did not exist
when tracing started serve most of the requests). An identical twin of both
runs on the host, by the same names: the same nginx binary and config and
busybox's httpd. Both take the same load at the same time; ebpfgen must count
exactly the container's requests and forks, and nothing of the twin's.

The container is found through the real CLIs: podman, and Debian's
podman-docker (its `docker` command runs podman with the same arguments).
Where Docker's own CLI is installed too, it is also asked, through podman's
Docker-compatible API service. No Docker daemon, containerd or Kubernetes runs
here (docs/TARGETS.md says why).

Usage: containers.py EBPFGEN CASE
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import podman_setup
from nginx_conf import write_nginx_conf
from servers import free_port, wait_for_port
from tracing import check, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])
SPEC = "window 1s\nmetrics responses\non tracepoint sched:sched_process_fork { count by comm as forks }\n"
LOAD_SECONDS = 2.5
NGINX_REQUESTS, HTTPD_REQUESTS = 750, 250  # in LOAD_SECONDS: 300/s and 100/s

# The first process of the container and of its twin: both servers, each logging every request into WORK,
# ended together by SIGTERM (as `podman stop` sends it).
SERVE = """#!/bin/sh
# serve WORK NGINX_CONF HTTPD_PORT
nginx -c "$2" -p "$1" &
nginx=$!
httpd -f -vv -p "127.0.0.1:$3" -h "$1/www" 2>>"$1/httpd.log" &
httpd=$!
trap 'kill $nginx $httpd; wait; exit 0' TERM
wait
"""


class Load(threading.Thread):
    """COUNT GETs at an even pace over LOAD_SECONDS, each read in full before the next: a kept-alive connection
    while the server keeps it, a new one when it closes it. Unlike scripts/loadgen, which stops at a deadline
    and may leave a request the server has logged unanswered, every request started is finished."""

    def __init__(self, port, count):
        super().__init__(daemon=True)
        self.port, self.count, self.done = port, count, 0
        self.start()

    def run(self):
        sock = reader = None
        began = time.monotonic()
        for i in range(self.count):
            delay = began + i * LOAD_SECONDS / self.count - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                reader = sock.makefile("rb")
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            status = reader.readline()
            headers = {}
            for line in iter(reader.readline, b"\r\n"):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip().lower()
            body = reader.read(int(headers["content-length"]))
            if not status.startswith(b"HTTP/1.") or b" 200 " not in status or body != b"ok\n":
                raise AssertionError(f"port {self.port}: unexpected answer {status!r} {body!r}")
            self.done += 1
            if headers.get("connection") == "close":
                reader.close()
                sock.close()
                sock = reader = None
        if sock:
            reader.close()
            sock.close()


def run(args, env=None):
    return subprocess.run([EBPFGEN, *args], capture_output=True, text=True, timeout=60, env=env)


class Servers:
    """nginx and httpd logging into one folder; in a podman container, or as the twin on the host."""

    def __init__(self, pm=None, image=None):
        self.work = tempfile.mkdtemp(prefix="ebpfgen-servers-")
        os.mkdir(os.path.join(self.work, "www"))
        with open(os.path.join(self.work, "www", "index.html"), "w") as f:
            f.write("ok\n")
        self.nginx_port, self.httpd_port = free_port(), free_port()
        conf = write_nginx_conf(self.work, self.nginx_port)
        self.pm, self.proc, self.name = pm, None, None
        if pm:
            self.name = pm.name("web")
            # The folder at the same path inside, so that nginx.conf's paths hold in both.
            self.id = pm.run("web", image, "serve", self.work, conf, str(self.httpd_port),
                             options=["-v", f"{self.work}:{self.work}"])
            self.pid = pm.wait_running(self.name)
        else:
            bin_dir = os.path.join(self.work, "bin")
            os.mkdir(bin_dir)
            os.symlink(podman_setup.BUSYBOX, os.path.join(bin_dir, "httpd"))  # named httpd, as in the image
            serve = os.path.join(bin_dir, "serve")
            with open(serve, "w") as f:
                f.write(SERVE)
            os.chmod(serve, 0o755)
            env = dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"])
            self.proc = subprocess.Popen([podman_setup.BUSYBOX, "sh", serve, self.work, conf, str(self.httpd_port)],
                                         env=env)
            self.pid = self.proc.pid
        wait_for_port(self.nginx_port)
        wait_for_port(self.httpd_port)

    def served(self):
        """(nginx's requests, httpd's requests), from their own logs."""
        def lines(name, word):
            path = os.path.join(self.work, name)
            return sum(1 for l in open(path) if word in l) if os.path.exists(path) else 0
        return lines("access.log", "GET"), lines("httpd.log", "response:")

    def loads(self):
        """Threads that send NGINX_REQUESTS and HTTPD_REQUESTS requests; each thread's .done counts the answers."""
        return [Load(self.nginx_port, NGINX_REQUESTS), Load(self.httpd_port, HTTPD_REQUESTS)]

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        elif self.pm:
            podman_setup.podman("stop", "-t", "5", self.name, check=False)
        shutil.rmtree(self.work, ignore_errors=True)


def server_image(pm):
    return pm.image("web", programs=[shutil.which("nginx")], dirs=["/var/lib/nginx", "/var/log/nginx"],
                    files={"/usr/local/bin/serve": SERVE})


def with_servers(body):
    """BODY(pm, inside, outside), with podman ready, the container and its twin; everything removed after."""
    need_tracing()
    podman_setup.prepare()
    with podman_setup.Podman() as pm:
        podman_setup.with_twins(pm, lambda: Servers(pm, server_image(pm)), Servers, body)


def traced(target_args, inside, outside, then=None):
    """Traces while both take the same load; THEN() runs after the load. Returns (windows, summary, stderr)."""
    trace = subprocess.Popen([EBPFGEN, "-e", SPEC, "--run", "--format", "json", *target_args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = trace.stderr.readline()
    if not line.startswith("Tracing "):
        trace.kill()
        raise AssertionError(f"ebpfgen did not start tracing: {line}{trace.stderr.read()}")
    loads = inside.loads() + outside.loads()
    for load in loads:
        load.join(timeout=60)
    answered = [load.done for load in loads]
    print(f"answered: inside nginx {answered[0]}, httpd {answered[1]}; outside nginx {answered[2]}, "
          f"httpd {answered[3]}")
    check(answered == [NGINX_REQUESTS, HTTPD_REQUESTS] * 2, "every request was answered")
    if then:
        then()
    out, err = trace.communicate(timeout=60)
    check(trace.returncode == 0, f"ebpfgen --run exited {trace.returncode}: {err}")
    lines = [json.loads(l) for l in out.splitlines()]
    return [l for l in lines if "window" in l], lines[-1], line + err


def check_only_the_container(summary, inside, outside):
    (nginx_in, httpd_in), (nginx_out, httpd_out) = inside.served(), outside.served()
    forks = summary["maps"].get("@forks", {})
    print(f"served inside: nginx {nginx_in}, httpd {httpd_in}; outside: nginx {nginx_out}, httpd {httpd_out}; "
          f"traced: responses {summary['responses']}, forks {forks}")
    check((nginx_in, httpd_in) == (nginx_out, httpd_out) == (NGINX_REQUESTS, HTTPD_REQUESTS),
          f"both logged every request: nginx {nginx_in} and {nginx_out}, httpd {httpd_in} and {httpd_out}")
    check(summary["responses"] == nginx_in + httpd_in,
          f"responses {summary['responses']} = the container's own count, nginx {nginx_in} + httpd {httpd_in}")
    check(forks == {"httpd": httpd_in},
          f"forks: one per connection of the container's httpd, {httpd_in}, and none of the twin's: {forks}")


def request_metrics_of_a_podman_container_not_its_twin():
    """By name through podman: exact counts, forks during tracing included; `podman stop` ends the run."""
    def body(pm, inside, outside):
        stopped = {}

        def stop():
            time.sleep(0.9)  # so that the stop falls inside a window (its last, partial one)
            stopped["at"] = time.time()
            podman_setup.podman("stop", inside.name)
        windows, summary, err = traced(["--container", inside.name, "--runtime", "podman"], inside, outside, stop)
        ended = time.time() - stopped["at"]
        check_only_the_container(summary, inside, outside)
        check(summary["ended_by"] == f"container '{inside.name}' exited", f"ended by the stop: {summary['ended_by']}")
        check(f"ebpfgen: container '{inside.name}' exited; the run ends here\n" in err, f"and says so: {err!r}")
        check(ended < 5, f"the run ended {ended:.1f} s after podman stop")
        # The last, partial window is marked final; one that would be empty and shorter than 50 ms (the stop
        # came right after a cut) is left out, as for any run.
        check(len(windows) >= 3 and not any(w["final"] for w in windows[:-1]) and
              (windows[-1]["final"] or windows[-1]["seconds"] >= 0.95),
              f"the windows so far were reported (s, final): "
              f"{[(round(w['seconds'], 2), w['final']) for w in windows]}")
        check(sum(w["responses"] for w in windows) == summary["responses"],
              f"the windows add up to the run: {[w['responses'] for w in windows]}")
        state = pm.inspect(inside.name, "{{.State.Status}} {{.State.ExitCode}}")
        check(state == "exited 0", f"podman saw the container stop: {state}")
    with_servers(body)


def cgroup_of_a_podman_container_not_its_twin():
    """--cgroup with the container's cgroup v2 path, as /proc/PID/cgroup shows it."""
    def body(pm, inside, outside):
        path = next(l[3:] for l in open(f"/proc/{inside.pid}/cgroup").read().splitlines() if l.startswith("0::"))
        check(inside.id in path, f"the container's own cgroup: {path}")
        r = run(["--targets", "--cgroup", path])
        check(r.returncode == 0 and "processes now: " in r.stdout, f"--targets --cgroup: {r.stdout} {r.stderr}")
        _, summary, _ = traced(["--cgroup", path, "--duration", "5s"], inside, outside)
        check_only_the_container(summary, inside, outside)
    with_servers(body)


def lookup_by_name_and_id_through_podman_and_docker():
    """--targets by name, full id and short id, through podman, podman-docker's docker, and no --runtime."""
    need_tracing()
    podman_setup.prepare()
    docker_env = podman_setup.podman_docker_env()
    with podman_setup.Podman() as pm:
        inside = Servers(pm, server_image(pm))
        try:
            pid, short = inside.pid, inside.id[:12]
            mount_ns = os.stat(f"/proc/{pid}/ns/mnt").st_ino
            cgroup = next(l[3:] for l in open(f"/proc/{pid}/cgroup").read().splitlines() if l.startswith("0::"))
            for value, runtime, env in ((inside.name, "podman", None), (inside.id, "podman", None),
                                        (short, "podman", None), (inside.name, "docker", docker_env),
                                        (short, "docker", docker_env), (inside.name, "", docker_env)):
                args = ["--targets", "--container", value] + (["--runtime", runtime] if runtime else [])
                r = run(args, env=env)
                shown = runtime or "docker"  # no --runtime: the first one installed, podman-docker's here
                lines = r.stdout.splitlines() + [""] * 5
                found = (r.returncode == 0 and lines[0] == f'target: container "{value}"'
                         f'{f" ({runtime})" if runtime else ""}, by its mount namespace, given as $1 when run' and
                         lines[1] == f"  container '{value}' ({shown}, id {short}), first process {pid} (serve)" and
                         lines[2] == f"  mount namespace {mount_ns}: every process in the container, also those "
                         "started later" and lines[4] == f"  cgroup: {cgroup}")
                check(found, f"--targets {' '.join(args[1:])}: {lines[1].strip()}" if found else
                      f"{' '.join(args)}: {r.returncode} {r.stdout!r} {r.stderr!r}")
                names = sorted(p.split(" ", 1)[1] for p in lines[3].split(": ", 1)[1].split(", "))
                check(names == ["httpd", "nginx", "nginx", "nginx", "serve"],
                      f"every process of the container: {lines[3].strip()}")
            r = run(["--emit", "-e", f'target container "{inside.name}" runtime podman\nmetrics responses'])
            check(r.returncode == 0 and f"//   container '{inside.name}' (podman, id {short}), first process {pid} "
                  "(serve)\n" in r.stdout and f"//   mount namespace {mount_ns}: " in r.stdout,
                  f"--emit's comments: {r.stderr!r}")
            # Docker's own CLI, where installed, through podman's Docker-compatible service.
            cli = podman_setup.docker_cli()
            if cli:
                sock = os.path.join(inside.work, "podman.sock")
                service = subprocess.Popen(["podman", "system", "service", "--time", "0", f"unix://{sock}"])
                try:
                    deadline = time.time() + 10
                    while not os.path.exists(sock) and time.time() < deadline:
                        time.sleep(0.05)
                    env = dict(os.environ, DOCKER_HOST=f"unix://{sock}",
                               PATH=os.path.dirname(cli) + ":" + os.environ["PATH"])
                    r = run(["--targets", "--container", short, "--runtime", "docker"], env=env)
                    check(r.returncode == 0 and f"  container '{short}' (docker, id {short}), first process {pid} "
                          "(serve)\n" in r.stdout, f"Docker's CLI through podman's service: {r.stdout!r} {r.stderr!r}")
                finally:
                    service.terminate()
                    service.wait(timeout=10)
            else:
                print("not run: no Docker CLI here to ask podman's Docker-compatible service")
        finally:
            inside.stop()


def lookup_errors_with_the_real_podman_cli():
    """A stopped container, a name that matches none, storage and a service that cannot answer, no runtime."""
    need_tracing()
    podman_setup.prepare()
    docker_env = podman_setup.podman_docker_env()
    with podman_setup.Podman() as pm:
        image = pm.image("bb")
        pm.run("done", image, "true", detach=False).wait(timeout=60)  # created, ran, exited
        done = pm.name("done")
        check(pm.inspect(done, "{{.State.Status}}") == "exited", "the container ran and exited")
        for args, env, expected in (
                (["--targets", "--container", done, "--runtime", "podman"], None,
                 f"ebpfgen: error: container '{done}' is not running (podman)\n"),
                (["--run", "-e", "on syscall read { count }", "--container", done, "--runtime", "docker"], docker_env,
                 f"ebpfgen: error: container '{done}' is not running (docker)\n"),
                (["--targets", "--container", pm.name("none"), "--runtime", "podman"], None,
                 f"ebpfgen: error: no running container named '{pm.name('none')}' (asked podman)\n"),
                (["--run", "-e", f'target container "{pm.name("none")}" runtime docker on syscall read {{ count }}'],
                 docker_env, f"ebpfgen: error: no running container named '{pm.name('none')}' (asked docker)\n"),
                # --container names another container of the spec's runtime.
                (["--targets", "-e", 'target container "web" runtime podman on syscall read { count }',
                  "--container", pm.name("none")],
                 None, f"ebpfgen: error: no running container named '{pm.name('none')}' (asked podman)\n")):
            r = run(args, env=env)
            check(r.returncode == 8 and r.stderr == expected, f"{' '.join(args)}: {r.returncode} {r.stderr!r}")

        work = tempfile.mkdtemp(prefix="ebpfgen-storage-")
        try:
            # Podman's storage on a disk that went read-only: made, then remounted so in a mount namespace of
            # the test's own (nothing on the host changes), where ebpfgen then asks podman.
            storage = os.path.join(work, "storage")
            os.mkdir(storage)
            conf = os.path.join(work, "storage.conf")
            with open(conf, "w") as f:
                f.write(f'[storage]\ndriver = "overlay"\ngraphroot = "{storage}/graph"\nrunroot = "{storage}/run"\n')
            script = (f'podman ps -a >/dev/null && mount --bind "{storage}" "{storage}" && '
                      f'mount -o remount,bind,ro "{storage}" && exec "$0" "$@"')
            r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, EBPFGEN,
                                "--targets", "--container", "web", "--runtime", "podman"],
                               capture_output=True, text=True, timeout=60, env=dict(os.environ,
                                                                                    CONTAINERS_STORAGE_CONF=conf))
            db = f"{storage}/graph/libpod/bolt_state.db"
            check(r.returncode == 8 and r.stderr == f"ebpfgen: error: cannot look up container 'web': podman: Error: "
                  f"opening database {db}: open {db}: read-only file system\n",
                  f"read-only storage: {r.returncode} {r.stderr!r}")
            # Podman as a client of its API service (CONTAINER_HOST), which is not running.
            sock = os.path.join(work, "podman.sock")
            version = podman_setup.podman("version", "--format", "{{.Client.Version}}").stdout.strip()
            r = run(["--targets", "--container", "web", "--runtime", "docker"],
                    env=dict(docker_env, CONTAINER_HOST=f"unix://{sock}"))
            check(r.returncode == 8 and r.stderr == "ebpfgen: error: cannot look up container 'web': docker: Error: "
                  f"unable to connect to Podman socket: Get \"http://d/v{version}/libpod/_ping\": dial unix {sock}: "
                  "connect: no such file or directory\n", f"podman's service not running: {r.returncode} {r.stderr!r}")
        finally:
            shutil.rmtree(work, ignore_errors=True)

        cli = podman_setup.docker_cli()
        if cli:  # Docker's own CLI, with no Docker daemon
            env = dict(os.environ, PATH=os.path.dirname(cli) + ":" + os.environ["PATH"])
            env.pop("DOCKER_HOST", None)
            r = run(["--targets", "--container", "web", "--runtime", "docker"], env=env)
            check(r.returncode == 8 and r.stderr == "ebpfgen: error: cannot look up container 'web': docker: Cannot "
                  "connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
                  f"Docker's CLI without its daemon: {r.stderr!r}")
            r = run(["--targets", "--container", done], env=env)
            check(r.returncode == 8 and r.stderr == f"ebpfgen: error: container '{done}' is not running (podman)\n",
                  f"no --runtime: docker cannot answer, podman can: {r.stderr!r}")
        else:
            print("not run: no Docker CLI here to fail without its daemon")

    if not shutil.which("nerdctl"):
        r = run(["--targets", "-e", 'target container "web" runtime nerdctl'])
        check(r.returncode == 8 and r.stderr == "ebpfgen: error: container runtime 'nerdctl' is not installed "
              "(not found on PATH)\n", f"a runtime not installed: {r.returncode} {r.stderr!r}")
    empty = tempfile.mkdtemp(prefix="ebpfgen-no-runtimes-")
    r = run(["--targets", "--container", "web"], env=dict(os.environ, PATH=empty))
    os.rmdir(empty)
    check(r.returncode == 8 and r.stderr == "ebpfgen: error: no container runtime is installed: looked for docker, "
          "podman, nerdctl and crictl on PATH\n", f"no runtime at all: {r.stderr!r}")
    r = run(["--targets", "--container", "x;touch /tmp/ebpfgen-pwned"])
    check(r.returncode == 2 and r.stderr == "ebpfgen: error: target option: a container name starts with a letter or "
          "digit and has only letters, digits, '_', '.' and '-'\n" and not os.path.exists("/tmp/ebpfgen-pwned"),
          f"a hostile name refused before any runtime runs: {r.returncode} {r.stderr!r}")


def crictl_lookup_with_a_stand_in_as_no_kubernetes_runs_here():
    """crictl's two steps, against real podman containers: no Kubernetes node (nor crictl) runs here, so a
    stand-in `crictl` answers as crictl does, from podman, and records the argument vectors it was given.
    A podman container POD_NAME stands for the container NAME of a pod POD, as crictl names it: two pods
    of a deployment on one node each have a container "app"."""
    need_tracing()
    podman_setup.prepare()
    with podman_setup.Podman() as pm:
        image = pm.image("bb")
        ids = {pod: pm.run(pod, image, "sleep", "60") for pod in ("pod1_web.1", "pod2_app", "pod3_app")}
        pid = pm.wait_running(pm.name("pod1_web.1"))
        work = tempfile.mkdtemp(prefix="ebpfgen-crictl-")
        try:
            log = os.path.join(work, "crictl-args.jsonl")
            crictl = os.path.join(work, "crictl")
            with open(crictl, "w") as f:
                f.write(f"""#!/usr/bin/env python3
# crictl ps --quiet --state running --name REGEX: the ids, one a line; crictl inspect ... ID: the pid.
import json, re, subprocess, sys
args = sys.argv[1:]
with open({log!r}, "a") as log:
    log.write(json.dumps(args) + "\\n")
if args[:5] == ["ps", "--quiet", "--state", "running", "--name"] and len(args) == 6:
    out = subprocess.run(["podman", "ps", "--no-trunc", "--format", "{{{{.ID}}}} {{{{.Names}}}}"],
                         capture_output=True, text=True, check=True).stdout
    for cid, name in (l.split() for l in out.splitlines()):
        if "_" in name and re.search(args[5], name.split("_", 1)[1]):
            print(cid)
elif args[:5] == ["inspect", "--output", "go-template", "--template", "{{{{.info.pid}}}}"] and len(args) == 6:
    r = subprocess.run(["podman", "container", "inspect", "--format", "{{{{.State.Pid}}}}", args[5]],
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit('FATA[0000] getting the status of the container "' + args[5] + '": not found')
    print(r.stdout.strip())
else:
    sys.exit("stand-in crictl: unexpected arguments")
""")
            os.chmod(crictl, 0o755)
            env = dict(os.environ, PATH=work + ":" + os.environ["PATH"])
            web, app = f"web.1-{pm.owner}", f"app-{pm.owner}"
            r = run(["--targets", "--container", web, "--runtime", "crictl"], env=env)
            check(r.returncode == 0 and f"  container '{web}' (crictl, id {ids['pod1_web.1'][:12]}), first process "
                  f"{pid} (sleep)\n" in r.stdout, f"found in two steps: {r.stdout!r} {r.stderr!r}")
            calls = [json.loads(l) for l in open(log)]
            check(calls == [["ps", "--quiet", "--state", "running", "--name", "^" + web.replace(".", "\\.") + "$"],
                            ["inspect", "--output", "go-template", "--template", "{{.info.pid}}", ids["pod1_web.1"]]],
                  f"the name as an exact regular expression, then the id: {calls}")
            r = run(["--targets", "--container", web.replace(".", "x"), "--runtime", "crictl"], env=env)
            check(r.returncode == 8 and r.stderr == f"ebpfgen: error: no running container named "
                  f"'{web.replace('.', 'x')}' (asked crictl)\n", f"the dot matched only a dot: {r.stderr!r}")
            listed = subprocess.run([crictl, "ps", "--quiet", "--state", "running", "--name", f"^{app}$"],
                                    capture_output=True, text=True, check=True).stdout.split()
            check(sorted(listed) == sorted([ids["pod2_app"], ids["pod3_app"]]), "two pods have a container app")
            r = run(["--targets", "--container", app, "--runtime", "crictl"], env=env)
            check(r.returncode == 8 and r.stderr == f"ebpfgen: error: 2 running containers are named '{app}' (crictl: "
                  f"{listed[0][:12]}, {listed[1][:12]}); trace one of them by its first process (info.pid in "
                  "crictl inspect ID): --pid PID --descendants\n", f"never one of them at random: {r.stderr!r}")
            before = len(open(log).readlines())
            r = run(["--targets", "--container", "x;touch /tmp/ebpfgen-pwned", "--runtime", "crictl"], env=env)
            check(r.returncode == 2 and len(open(log).readlines()) == before and
                  not os.path.exists("/tmp/ebpfgen-pwned"), f"a hostile name never reaches the runtime: {r.stderr!r}")
        finally:
            shutil.rmtree(work, ignore_errors=True)


CASES = {f.__name__: f for f in [request_metrics_of_a_podman_container_not_its_twin,
                                  cgroup_of_a_podman_container_not_its_twin,
                                  lookup_by_name_and_id_through_podman_and_docker,
                                  lookup_errors_with_the_real_podman_cli,
                                  crictl_lookup_with_a_stand_in_as_no_kubernetes_runs_here]}

if __name__ == "__main__":
    CASES[sys.argv[2]]()
