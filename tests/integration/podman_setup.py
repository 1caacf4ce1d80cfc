"""Real podman containers for the container suites: the machine's set-up,
images made from local roots, and the clean-up.

scripts/setup installs podman, podman-docker (its `docker` command), crun and
a static busybox; this installs nothing. prepare() makes podman run here,
changing only what it must, and is safe to run again:

- crun cannot raise resource limits without CAP_SYS_RESOURCE, which a
  container or VM often lacks ("setrlimit `RLIMIT_NOFILE`: Operation not
  permitted"): the tests' podman reads a containers.conf with
  `[containers] default_ulimits = []` through CONTAINERS_CONF, so containers
  keep the limits they inherit;
- crun refuses a hybrid cgroup layout (v1 hierarchies under /sys/fs/cgroup,
  v2 at /sys/fs/cgroup/unified) while the v2 hierarchy holds a controller
  ("cgroups in hybrid mode not supported, drop all controllers from
  cgroupv2"): each such controller, if no v2 cgroup uses it, is mounted as a
  v1 hierarchy of its own (on the machines this was written on, hugetlb:
  `mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb`). That mount
  stays; it changes nothing for cgroup v2 users, who had no controller there.

There is no registry to pull from, so images are made from local roots with
`podman import`: a static busybox, and the host's programs copied in with
the libraries ldd names (0.5 to 1 s for a 12 MB root, measured on 2 cores;
a debootstrap'd Debian minbase root took 75 s and 204 MB, and 5 s more to
import, so none is made). Every container and image made here carries the
label ebpfgen.test.owner=PID of the test that made it; the test removes them
when it ends, and prepare() removes those of tests that died before they
could. The tests use podman's default storage, as users do.

Usage as a program (as root): podman_setup.py prepare | clean
  prepare  the set-up above; prints CONTAINERS_CONF=... for a shell
  clean    removes every container and image any of these tests made, and,
           when podman has no container left at all, the empty cgroups its
           cgroupfs manager leaves behind (libpod_parent, in each hierarchy)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

STATE_DIR = "/run/ebpfgen-test-podman"
CONTAINERS_CONF = os.path.join(STATE_DIR, "containers.conf")
OWNER_LABEL = "ebpfgen.test.owner"
BUSYBOX = "/bin/busybox"
CONF_TEXT = """\
# Written by ebpfgen's tests/integration/podman_setup.py, read through CONTAINERS_CONF.
# crun cannot raise RLIMIT_NOFILE without CAP_SYS_RESOURCE: containers keep the limits they inherit.
[containers]
default_ulimits = []
"""


def need_podman():
    """Skip (77) without root, podman, podman-docker, crun or a static busybox; fail under CI=true."""
    why = None
    if os.geteuid() != 0:
        why = "needs root (rootful podman)"
    elif not shutil.which("podman"):
        why = "needs podman (scripts/setup installs it)"
    elif not podman_docker():
        why = "needs podman-docker, podman's docker command (scripts/setup installs it)"
    elif not shutil.which("crun"):
        why = "needs crun (scripts/setup installs it)"
    elif not is_static(BUSYBOX):
        why = "needs a static busybox at /bin/busybox (busybox-static; scripts/setup installs it)"
    if why:
        if os.environ.get("CI") == "true":
            print(f"FAIL: this suite {why}, and CI must run it")
            sys.exit(1)
        print(f"SKIP: this suite {why}")
        sys.exit(77)


def is_static(path):
    if not os.path.isfile(path):
        return False
    r = subprocess.run(["ldd", path], capture_output=True, text=True)
    return r.returncode != 0 or "not a dynamic executable" in r.stdout + r.stderr


def podman_docker():
    """The `docker` command of Debian's podman-docker (a script that runs podman), or None."""
    r = subprocess.run(["dpkg-query", "-L", "podman-docker"], capture_output=True, text=True)
    return next((p for p in r.stdout.split() if p.endswith("/bin/docker") and os.path.isfile(p)), None)


def podman_docker_env(env=None):
    """The environment with podman-docker's `docker` first on PATH (another docker CLI may come first)."""
    env = dict(env or os.environ)
    env["PATH"] = os.path.dirname(podman_docker()) + ":" + env["PATH"]
    return env


def docker_cli():
    """Docker's own CLI on PATH (not podman-docker's script), or None."""
    path = shutil.which("docker")
    if not path or os.path.realpath(path) == os.path.realpath(podman_docker() or ""):
        return None
    r = subprocess.run([path, "--version"], capture_output=True, text=True)
    return path if r.stdout.startswith("Docker version") else None


def podman(*args, check=True, **kwargs):
    r = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=120, **kwargs)
    if check and r.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def write_containers_conf():
    os.makedirs(STATE_DIR, exist_ok=True)
    current = open(CONTAINERS_CONF).read() if os.path.exists(CONTAINERS_CONF) else None
    if current != CONF_TEXT:
        with open(CONTAINERS_CONF + ".new", "w") as f:
            f.write(CONF_TEXT)
        os.replace(CONTAINERS_CONF + ".new", CONTAINERS_CONF)
    return CONTAINERS_CONF


def cgroup2_mount():
    r = subprocess.run(["findmnt", "-n", "-o", "TARGET", "-t", "cgroup2"], capture_output=True, text=True)
    return r.stdout.split()[0] if r.stdout.split() else None


def free_cgroup2_controllers():
    """On a hybrid layout, moves the v2 hierarchy's controllers to v1 hierarchies; returns what it mounted."""
    unified = cgroup2_mount()
    fs_type = subprocess.run(["stat", "-f", "-c", "%T", "/sys/fs/cgroup"], capture_output=True, text=True).stdout
    if not unified or unified == "/sys/fs/cgroup" or fs_type.strip() == "cgroup2fs":
        return []  # cgroup v2 only, or v1 only: crun takes either as it is
    mounted = []
    for controller in open(os.path.join(unified, "cgroup.controllers")).read().split():
        target = os.path.join("/sys/fs/cgroup", controller)
        os.makedirs(target, exist_ok=True)
        r = subprocess.run(["mount", "-t", "cgroup", "-o", controller, "cgroup", target], capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise AssertionError(f"crun refuses cgroups in hybrid mode while cgroup v2 ({unified}) holds the "
                                 f"{controller} controller, and it cannot be mounted as v1: {r.stderr.strip()}")
        mounted.append(f"mount -t cgroup -o {controller} cgroup {target}")
    return mounted


def prepare():
    """Makes podman runnable here (see above); returns what it did, a line each."""
    need_podman()
    done = [f"CONTAINERS_CONF={write_containers_conf()}"]
    os.environ["CONTAINERS_CONF"] = CONTAINERS_CONF
    done += free_cgroup2_controllers()
    done += [f"removed {what}" for what in clean(only_of_dead_owners=True)]
    return done


def _alive(pid):
    try:
        os.kill(int(pid), 0)
        return True
    except (OSError, ValueError):
        return False


def clean(only_of_dead_owners=False):
    """Removes the containers and images the tests made (only those of tests no longer running, if asked)."""
    removed = []
    containers = json.loads(podman("ps", "-a", "--filter", f"label={OWNER_LABEL}", "--format", "json").stdout or "[]")
    for c in containers:
        if only_of_dead_owners and _alive((c.get("Labels") or {}).get(OWNER_LABEL)):
            continue
        podman("rm", "-f", "-t", "0", c["Id"], check=False)
        removed.append(f"container {c['Names'][0] if c.get('Names') else c['Id'][:12]}")
    images = json.loads(podman("images", "--filter", f"label={OWNER_LABEL}", "--format", "json").stdout or "[]")
    for i in images:
        if only_of_dead_owners and _alive((i.get("Labels") or {}).get(OWNER_LABEL)):
            continue
        podman("rmi", "-f", i["Id"], check=False)
        removed.append(f"image {(i.get('Names') or [i['Id'][:12]])[0]}")
    return removed


def _copy_in(root, source, inside=None):
    target = os.path.join(root, (inside or source).lstrip("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copy2(os.path.realpath(source), target)


def _with_libraries(root, source, inside=None):
    """Copies a program in, with every library ldd says it loads, at the paths ldd names."""
    _copy_in(root, source, inside)
    r = subprocess.run(["ldd", source], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        m = re.search(r"(/\S+) \(0x[0-9a-f]+\)$", line.strip())
        if m:
            _copy_in(root, m.group(1))


class Podman:
    """The containers and images of one test, all removed when it ends (use it in a with block)."""

    def __init__(self):
        self.owner = str(os.getpid())
        self.containers, self.images = [], []

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def name(self, what):
        return f"ebpfgen-test-{what}-{self.owner}"

    def image(self, what, programs=(), files=None, dirs=(), env=None):
        """An image of a root with a static busybox (every applet in /bin), PROGRAMS (host path, or
        (host path, path inside)) with their libraries, FILES {path inside: text}, empty DIRS and
        ENV {name: value}."""
        started = time.time()
        root = tempfile.mkdtemp(prefix="ebpfgen-root-")
        try:
            _copy_in(root, BUSYBOX, "/bin/busybox")
            applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
            for applet in applets:
                if applet != "busybox":
                    os.symlink("busybox", os.path.join(root, "bin", applet))
            for d in ("/etc", "/tmp", "/run", "/var/tmp", "/root", *dirs):
                os.makedirs(os.path.join(root, d.lstrip("/")), exist_ok=True)
            files = {"/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n", "/etc/group": "root:x:0:\n", **(files or {})}
            for path, text in files.items():
                target = os.path.join(root, path.lstrip("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w") as f:
                    f.write(text)
                if text.startswith("#!"):
                    os.chmod(target, 0o755)
            for p in programs:
                source, inside = (p, None) if isinstance(p, str) else p
                _with_libraries(root, source, inside)
            ref = f"localhost/{self.name(what)}:latest"
            changes = ["--change", f"LABEL {OWNER_LABEL}={self.owner}"]
            for key, value in (env or {}).items():
                changes += ["--change", f"ENV {key}={value}"]
            tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
            r = subprocess.run(["podman", "import", "--quiet", *changes, "-", ref], stdin=tar.stdout,
                               capture_output=True, text=True, timeout=120)
            tar.stdout.close()
            tar.wait()
            if r.returncode != 0:
                raise AssertionError(f"podman import failed: {r.stderr.strip()}")
            self.images.append(ref)
            print(f"image {ref}: {sum(len(f) for _, _, f in os.walk(root))} files, "
                  f"made in {time.time() - started:.1f} s")
            return ref
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def run(self, what, image, *command, options=(), detach=True, **popen):
        """Starts a container named ebpfgen-test-WHAT-PID on the host's network: its full id when detached,
        else the Popen of `podman run` (stdin and stdout as POPEN says)."""
        name = self.name(what)
        args = ["podman", "run", "--name", name, "--label", f"{OWNER_LABEL}={self.owner}", "--network", "host",
                *options]
        self.containers.append(name)
        if not detach:
            return subprocess.Popen([*args, image, *command], **popen)
        return podman(*args[1:], "-d", image, *command).stdout.strip()

    def inspect(self, name, template):
        return podman("container", "inspect", "--format", template, name).stdout.strip()

    def wait_running(self, name, timeout=20):
        """The host pid of a container's first process, once it runs."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = podman("container", "inspect", "--format", "{{.State.Pid}} {{.State.Running}}", name, check=False)
            words = r.stdout.split()
            if r.returncode == 0 and len(words) == 2 and words[1] == "true" and int(words[0]) > 0:
                return int(words[0])
            time.sleep(0.05)
        raise AssertionError(f"container {name} is not running after {timeout} s")

    def close(self):
        for name in self.containers:
            podman("rm", "-f", "-t", "0", name, check=False)
        for ref in self.images:
            podman("rmi", "-f", ref, check=False)
        left = [c for c in self.containers if podman("container", "exists", c, check=False).returncode == 0]
        left += [i for i in self.images if podman("image", "exists", i, check=False).returncode == 0]
        if left:
            raise AssertionError(f"not removed: {left}")

def with_twins(pm, make_inside, make_outside, body):
    """BODY(pm, inside, outside) with a server made in a container and its twin on the host; both stopped after."""
    inside = outside = None
    try:
        inside = make_inside()
        outside = make_outside()
        body(pm, inside, outside)
    finally:
        for server in (inside, outside):
            if server:
                server.stop()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("prepare", "clean"):
        print(__doc__.split("Usage as a program")[1].strip(), file=sys.stderr)
        sys.exit(2)
    if sys.argv[1] == "prepare":
        print("\n".join(prepare()))
    else:
        need_podman()
        os.environ.setdefault("CONTAINERS_CONF", write_containers_conf())
        removed = clean()
        if not podman("ps", "-a", "-q").stdout.strip():
            for top in sorted(set(m.split()[4] for m in open("/proc/self/mountinfo") if " - cgroup" in m)):
                for parent, dirs, _ in sorted(os.walk(os.path.join(top, "libpod_parent")), reverse=True):
                    try:
                        os.rmdir(parent)  # only empty cgroups go: one with a process in it cannot be removed
                        removed.append(f"cgroup {parent}")
                    except OSError:
                        pass
        print("\n".join(removed) or "nothing to remove")
