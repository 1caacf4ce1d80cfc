"""Every example under examples/ (examples/tutorial/ aside, which tutorial.py runs) run for real as it is
written, for a short time (--duration 2s) and with a target option where the example traces a server or
the whole machine, beside a workload whose effect is known without ebpfgen: a dd of 7 blocks of 4096
bytes reads 7 times 4096 bytes; a program that renames itself and makes 777 getppid calls makes exactly
778 syscalls under its new name; a server that holds each connection 20 ms has connections of 16 to 32 ms.
The examples that need kprobes, which this kernel may not attach, are compiled (--emit) and passed to
bpftrace's own dry run, as the examples suite does (tests/examples/accept); where the kernel has no
kprobes, `--run` must refuse them with exit status 6.

A case is named by its example's path under examples/. `every_example_has_a_case` fails for a file under
examples/ (but README.md and tutorial/) that has no case here, so that no example goes untested.

Usage: examples_run.py EBPFGEN STREAM_SERVER SYSCALL_CALLS OSTREAM_FLUSHES CASE
       (the last three are programs of tests/workloads)
       examples_run.py cases          the names of the cases, one a line (tests/integration/meson.build)
"""
import fnmatch
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from tracing import check, free_port, held_connections, need_program, need_tracing, wait_for_port

HERE = os.path.dirname(os.path.realpath(__file__))
EXAMPLES = os.path.realpath(os.path.join(HERE, "..", "..", "examples"))
ACCEPT = os.path.realpath(os.path.join(HERE, "..", "examples", "accept"))

# Before each of 5 reads of its stdin, says so on its stdout: the test answers 45 ms later.
SLOW_READS = "import os\nfor _ in range(5):\n    os.write(1, b'r')\n    os.read(0, 1)\n"

# Once it has read a line, sleeps 1 ms N times, then prints how often the kernel switched it out
# voluntarily meanwhile (getrusage).
NAPS = r"""
import resource, sys, time
sys.stdin.readline()
before = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw
for _ in range(int(sys.argv[1])):
    time.sleep(0.001)
print(resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - before)
"""


class Work:
    """A scratch directory, removed at the end of the case: `with Work() as w: w.path("name")`. Under /tmp,
    or with on_disk under /var/tmp, which is on a disk where /tmp is a tmpfs (io posix leaves /var/ out)."""

    def __init__(self, on_disk=False):
        self.parent = "/var/tmp" if on_disk else None

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="ebpfgen-examples-", dir=self.parent)
        return self

    def __exit__(self, *_):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def named(self, program, name):
        """`program` (a path or a program on PATH) under `name`, the comm of the processes it starts."""
        link = self.path(name)
        os.symlink(shutil.which(program) or program, link)
        return link

    def data(self, name, size):
        with open(self.path(name), "wb") as f:
            f.write(os.urandom(size))
        return self.path(name)


class Example:
    """`ebpfgen examples/NAME --run --format json ARGS...`, started and waited for until it traces."""

    def __init__(self, name, *args):
        self.name = name
        self.proc = subprocess.Popen([EBPFGEN, os.path.join(EXAMPLES, name), "--run", "--format", "json", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.first = self.proc.stderr.readline()
        if not self.first.startswith("Tracing "):
            self.proc.kill()
            raise AssertionError(f"{name} did not start tracing: {self.first}{self.proc.stderr.read()}")

    def finish(self, timeout=60):
        """Waits for the run's end; returns the summary's maps. Also keeps .events, .summary, .stderr."""
        out, err = self.proc.communicate(timeout=timeout)
        print(f"--- {self.name}: exit status {self.proc.returncode}; stderr:\n{self.first}{err}--- stdout "
              f"(first 40 lines):\n" + "\n".join(out.splitlines()[:40]) + "\n---")
        check(self.proc.returncode == 0, f"{self.name}: ebpfgen --run exited 0: {self.proc.returncode}")
        self.stderr = self.first + err
        self.records = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
        self.events = [r["event"] for r in self.records if "event" in r]
        summaries = [r for r in self.records if r.get("summary") is True]
        self.summary = summaries[-1] if summaries else {}
        return self.summary.get("maps", {})


def buckets(hist):
    """{low: count} of the non-empty buckets of a histogram as --format json gives it."""
    return {b.get("min", 0): b["count"] for b in hist if b["count"]}


def total(hist):
    return sum(b["count"] for b in hist)


def run_with_duration(name, workload, *args):
    """Runs example NAME for 2 s with ARGS, WORKLOAD() started once it traces; returns its maps."""
    run = Example(name, "--duration", "2s", *args)
    workload()
    return run, run.finish()


# ---- the cases, each named after its example: CASES[path under examples/] = function(path)

CASES = {}


def case(*names):
    def register(function):
        for name in names:
            CASES[name] = function
        return function
    return register


@case("lessons/01-list-probes.md")
def list_probes(name):
    """Each `$ ebpfgen --list ...` of the lesson runs as it says. Independently of ebpfgen: its syscalls
    are tracefs's sys_enter_ tracepoints, its tracepoints and uprobes what `bpftrace -l` lists."""
    text = open(os.path.join(EXAMPLES, name)).read()
    commands = re.findall(r"^\$ ebpfgen (.*)$", text, re.M)
    check(len(commands) >= 4, f"the lesson shows at least 4 commands: {commands}")
    tracefs = next(d for d in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing") if os.path.isdir(d + "/events"))
    for command in commands:
        words = shlex.split(command)
        r = subprocess.run([EBPFGEN, *words], capture_output=True, text=True, timeout=60)
        pattern = words[-1]
        if pattern.startswith("kprobe:"):
            check(r.returncode in (0, 1) and "kprobe" in r.stdout + r.stderr, f"{command}: {r.returncode} {r.stderr}")
            continue
        check(r.returncode == 0 and r.stdout, f"{command}: exit 0 with a listing: {r.returncode} {r.stderr}")
        listed = [l for l in r.stdout.splitlines() if not l.startswith(" ")]
        if pattern.startswith("syscall:"):
            glob = pattern[len("syscall:"):]
            names = sorted(e[len("sys_enter_"):] for e in os.listdir(tracefs + "/events/syscalls")
                           if e.startswith("sys_enter_") and fnmatch.fnmatchcase(e[len("sys_enter_"):], glob))
            check(listed == ["syscall:" + n for n in names], f"{command}: the sys_enter_ tracepoints: {names}")
        else:
            theirs = subprocess.run(["bpftrace", "-l", pattern], capture_output=True, text=True, timeout=60).stdout
            check(listed == theirs.splitlines(), f"{command}: as bpftrace -l lists them ({len(listed)} probes)")
        if "-v" in words:
            check(any(l.startswith("    args.") for l in r.stdout.splitlines()), f"{command}: with the fields")


@case("lessons/02-hello-world.obs")
def hello_world(name):
    """The spec's own command, /bin/true: its one execve prints the one line, and its exit ends the run."""
    run = Example(name)
    run.finish()
    check(run.events == ["hello world"], f"one line: {run.events}")
    check(run.summary.get("ended_by") == "the command exited with status 0", f"ended by: {run.summary}")


@case("hello-execve.obs")
def hello_execve(name):
    """A command whose shell runs a program of a name of its own 3 times: one line for the shell's own
    execve, one for the sleep it starts first, and three for the program, with the shell as the caller."""
    with Work() as w:
        hello = w.named("/bin/true", "hello")
        run = Example(name, "--", "/bin/sh", "-c", f"/bin/sleep 0.2; {hello}; {hello}; {hello}")
        run.finish()
        shape = re.compile(r"Hello, world! comm=\S+ args\.filename=\S+")
        check(run.events and all(shape.fullmatch(e) for e in run.events), f"each 'Hello, world! comm=C args.filename=P'")
        check(len([e for e in run.events if e.endswith(" args.filename=/bin/sh")]) == 1, "one line for the shell")
        check(sorted(e for e in run.events if not e.endswith(" args.filename=/bin/sh")) ==
              sorted(f"Hello, world! comm=sh args.filename={p}" for p in ["/bin/sleep", hello, hello, hello]),
              f"the shell started sleep, then 3 times {hello}: {run.events}")


@case("file-opens.obs", "lessons/03-file-opens.obs", "lessons/12-open-paths.obs")
def file_opens(name):
    """A program of a name of its own (cat) opens a file of this test: exactly one line names that file,
    every line has the example's shape."""
    prefix = "open path: args.filename=" if "12-" in name else "comm=ebpfgen_cat args.filename="
    with Work() as w:
        cat, known = w.named("cat", "ebpfgen_cat"), w.data("known-name.txt", 10)
        run, _ = run_with_duration(name, lambda: subprocess.run([cat, known], check=True, capture_output=True),
                                   "--comm", "ebpfgen_cat")
        check(run.events and all(e.startswith(prefix) for e in run.events),
              f"{len(run.events)} lines, each '{prefix}PATH'")
        check(run.events.count(prefix + known) == 1, f"one line opens {known}")


@case("syscall-counts.obs", "lessons/04-syscall-counts.obs")
def syscall_counts(name):
    """A program that renames itself ebpfgen_sc, makes 777 getppid calls and exits: 778 syscalls by that
    name (the calls and exit_group), exactly."""
    with Work() as w:
        _, maps = run_with_duration(name, lambda: subprocess.run([SYSCALL_CALLS, "ebpfgen_sc", "getppid", "777"], check=True))
        counts = maps.get("@count_by_comm", {})
        check(counts.get("ebpfgen_sc") == 778, f"778 syscalls of ebpfgen_sc: {counts.get('ebpfgen_sc')}")
        check(len(counts) >= 2 and all(isinstance(v, int) and v > 0 for v in counts.values()),
              f"a count for each process name: {len(counts)} names")


def dd_reads(w, dd, blocks, block_size):
    """`dd` of BLOCKS blocks of BLOCK_SIZE bytes from a file of as many, to /dev/null."""
    source = w.data("source.dat", blocks * block_size)
    return [dd, f"if={source}", "of=/dev/null", f"bs={block_size}", f"count={blocks}", "status=none"]


@case("read-sizes.obs")
def read_sizes(name):
    """dd reads 7 blocks of 4096 bytes: 7 reads in [4K, 8K) for its name."""
    with Work() as w:
        dd = dd_reads(w, w.named("dd", "ebpfgen_dd"), 7, 4096)
        _, maps = run_with_duration(name, lambda: subprocess.run(dd, check=True), "--comm", "ebpfgen_dd")
        hist = maps.get("@hist_ret_by_comm", {})
        check(list(hist) == ["ebpfgen_dd"] and buckets(hist["ebpfgen_dd"]).get(4096) == 7,
              f"7 reads of 4096 bytes by ebpfgen_dd: {hist}")


@case("lessons/05-read-sizes.obs")
def read_sizes_of_a_pid(name):
    """--pid of a shell that reads a line, then becomes dd (exec: the same pid) and reads 7 blocks of 4096
    bytes: the shell's builtin read takes "go\\n" a byte at a time (3 reads of 1 byte), dd's 7 reads are in
    [4K, 8K)."""
    with Work() as w:
        dd = dd_reads(w, "/bin/dd", 7, 4096)
        shell = subprocess.Popen(["/bin/sh", "-c", "read line; exec " + shlex.join(dd)], stdin=subprocess.PIPE, text=True)
        run = Example(name, "--pid", str(shell.pid))
        shell.communicate("go\n", timeout=30)
        hist = buckets(run.finish().get("@bytes", []))
        check(hist.get(4096) == 7 and hist.get(1) == 3, f"7 reads in [4K, 8K), 3 of 1 byte: {hist}")
        check(f"process {shell.pid} exited" in run.summary.get("ended_by", ""), "the process's exit ended the run")


@case("lessons/06-read-bytes.obs")
def read_bytes_linear(name):
    """dd, launched as the command, reads 5 blocks of 1000 bytes: 5 reads in [1000, 1200)."""
    with Work() as w:
        run = Example(name, "--", *dd_reads(w, "/bin/dd", 5, 1000))
        hist = run.finish().get("@bytes", [])
        check([(b.get("min"), b.get("max")) for b in hist[:2]] == [(0, 199), (200, 399)], f"200-byte buckets: {hist[:2]}")
        check(buckets(hist).get(1000) == 5, f"5 reads in [1000, 1200): {buckets(hist)}")


@case("read-latency.obs", "lessons/07-read-latency.obs")
def read_latency(name):
    """A program of a name of its own reads its stdin 5 times, each answered 45 ms after it said it would
    read: 5 reads of 45 to 64 ms, in the [32 ms, 64 ms) bucket of its name (in us or in ns)."""
    ms, key, low = (1000, "@hist_latency_us_by_comm", 2**15) if name == "read-latency.obs" else (10**6, "@ns", 2**25)
    with Work() as w:
        reader = w.named("/usr/bin/python3", "ebpfgen_rdlat")
        run = Example(name, "--duration", "2s", "--comm", "ebpfgen_rdlat")
        reader = subprocess.Popen([reader, "-c", SLOW_READS], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for _ in range(5):
            reader.stdout.read(1)
            time.sleep(0.045)
            reader.stdin.write(b"x")
            reader.stdin.flush()
        reader.wait(timeout=10)
        hist = run.finish().get(key, {})
        slow = {b: n for b, n in buckets(hist.get("ebpfgen_rdlat", [])).items() if b >= 16 * ms}
        check(slow == {low: 5}, f"5 reads in [{low}, {2 * low}), 32 to 64 ms; none else over 16 ms: {slow}")


@case("lessons/08-sched-tracepoints.obs")
def sched_tracepoints(name):
    """A command (a shell that runs /bin/sleep and /bin/true 5 times): 7 execs (the shell, sleep, 5 trues)
    and 6 forks, each counted by its tracepoint's name."""
    run = Example(name, "--", "/bin/sh", "-c", "/bin/sleep 0.2; for i in 1 2 3 4 5; do /bin/true; done")
    counts = run.finish().get("@count_by_probe", {})
    check(counts.get("tracepoint:sched:sched_process_exec") == 7 and counts.get("tracepoint:sched:sched_process_fork") == 6,
          f"7 execs and 6 forks: {counts}")
    check(all(k.startswith("tracepoint:sched:sched") for k in counts), "every key a sched tracepoint")


@case("cpu-profile.obs", "lessons/09-cpu-profile.obs")
def cpu_profile(name):
    """dd copies /dev/zero to /dev/null, mostly in the kernel: about 99 samples a second of its CPU time
    (its own getrusage), most of them with a kernel stack through read_zero (a frame named *zero* or clear_user)."""
    with Work() as w:
        dd = w.named("dd", "ebpfgen_dd")
        used = {}

        def burn():
            p = subprocess.Popen([dd, "if=/dev/zero", "of=/dev/null", "bs=64k", "count=600000", "status=none"])
            _, status, usage = os.wait4(p.pid, 0)  # reaped here, for its CPU time
            p.returncode = os.waitstatus_to_exitcode(status)
            check(p.returncode == 0, "dd ran")
            used["s"] = usage.ru_utime + usage.ru_stime
        _, maps = run_with_duration(name, burn, "--comm", "ebpfgen_dd")
        stacks = maps.get("@count_by_kstack", {})
        samples = sum(stacks.values())
        check(used["s"] > 0.3 and 0.75 * 99 * used["s"] <= samples <= 1.25 * 99 * used["s"] + 2,
              f"{samples} samples for {used['s']:.2f} s of CPU at 99 Hz")
        kernel = sum(n for k, n in stacks.items() if "zero" in k or "clear_user" in k)
        check(kernel >= samples // 2, f"{kernel} of them in the kernel's /dev/zero")


@case("lessons/10-sched-switch-stacks.obs")
def sched_switch_stacks(name):
    """A program of a name of its own sleeps 1 ms 50 times: at least one switch for each voluntary switch
    its getrusage counts, with kernel stacks through the nanosleep it called."""
    with Work() as w:
        nap = subprocess.Popen([w.named("/usr/bin/python3", "ebpfgen_nap"), "-c", NAPS, "50"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        run = Example(name, "--duration", "2s", "--comm", "ebpfgen_nap")
        nap.stdin.write("go\n")
        nap.stdin.close()
        voluntary = int(nap.stdout.read())
        nap.wait(timeout=10)
        stacks = run.finish().get("@count_by_kstack", {})
        switches = sum(stacks.values())
        sleeping = sum(n for k, n in stacks.items() if "nanosleep" in k)
        check(voluntary >= 50 and switches >= voluntary and sleeping >= 45,
              f"{switches} switches, {sleeping} of them in nanosleep, for {voluntary} voluntary switches")


@case("block-io-sizes.obs", "lessons/11-block-io-sizes.obs")
def block_io_sizes(name):
    """dd writes 8 blocks of 64 KiB with O_DIRECT over a file already on the disk: at least 8 requests in
    [64K, 128K) (the rest of the machine may add more)."""
    with Work(on_disk=True) as w:
        target = w.data("direct.dat", 8 * 65536)
        os.sync()
        dd = ["dd", "if=/dev/zero", f"of={target}", "bs=64k", "count=8", "oflag=direct", "conv=notrunc", "status=none"]
        _, maps = run_with_duration(name, lambda: subprocess.run(dd, check=True))
        hist = buckets(maps.get("@hist_args_bytes", []))
        check(hist.get(65536, 0) >= 8, f"8 or more requests in [64K, 128K): {hist}")


@case("io-posix.obs")
def io_posix(name):
    """dd copies 7 blocks of 4096 bytes from one file to another: 7 reads and 28672 bytes read of the one,
    7 writes and 28672 bytes written of the other, both opened twice (dd dup2()s them onto its stdin and
    stdout), and no record under an excluded prefix such as /etc/ or /usr/."""
    with Work() as w:
        source, copy = w.data("in.dat", 7 * 4096), w.path("out.dat")
        run = Example(name, "--", "/bin/dd", f"if={source}", f"of={copy}", "bs=4096", "count=7")
        run.finish()
        records = {r["file"]: r["counters"] for r in run.records if r.get("module") == "POSIX"}
        check(set(records) == {source, copy}, f"the two files, nothing under an excluded prefix: {sorted(records)}")
        r, c = records[source], records[copy]
        check((r["POSIX_READS"], r["POSIX_BYTES_READ"], r["POSIX_WRITES"], r["POSIX_SIZE_READ_1K_10K"]) == (7, 28672, 0, 7),
              f"{source}: 7 reads of 4096 bytes")
        check((c["POSIX_WRITES"], c["POSIX_BYTES_WRITTEN"], c["POSIX_MAX_BYTE_WRITTEN"], c["POSIX_READS"]) ==
              (7, 28672, 28671, 0), f"{copy}: 7 writes of 4096 bytes")
        check(r["POSIX_OPENS"] == c["POSIX_OPENS"] == 2 and r["POSIX_DUPS"] == c["POSIX_DUPS"] == 1, "each opened and dup2()ed")


class Redis:
    """A redis-server of this test's own on a free port, without persistence; `.pid` to target it."""

    def __init__(self, w):
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
                                      "--dir", w.dir], stdout=subprocess.DEVNULL)
        self.pid = self.proc.pid
        wait_for_port(self.port)

    def pings(self, n, every=0.0):
        """N PINGs on one connection, each waited for; returns the fd redis serves it on (from /proc)."""
        before = set(os.listdir(f"/proc/{self.pid}/fd"))
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as c:
            for i in range(n):
                c.sendall(b"PING\r\n")
                answer = c.recv(64)
                if i == 0:
                    check(answer == b"+PONG\r\n", f"redis answers: {answer!r}")
                    fd = int((set(os.listdir(f"/proc/{self.pid}/fd")) - before).pop())
                time.sleep(every)
        return fd

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def with_redis(body):
    need_program("redis-server", "examples_run.py")
    with Work() as w:
        redis = Redis(w)
        try:
            body(redis)
        finally:
            redis.stop()


@case("recv-send-events.obs")
def recv_send_events(name):
    """3 PINGs on one connection to a redis of this test: redis reads each and writes each PONG, then reads
    the hang-up, all on the fd /proc shows for that connection: 7 lines, in that order."""
    def body(redis):
        run = Example(name, "--duration", "2s", "--pid", str(redis.pid))
        fd = redis.pings(3)
        run.finish()
        shape = re.compile(r"pid=(\d+) timestamp_ns=(\d+) comm=(\S+) fd=(\d+) syscall=(\w+)")
        parsed = [shape.fullmatch(e) for e in run.events]
        check(parsed and all(parsed), f"each 'pid=P timestamp_ns=T comm=C fd=F syscall=S': {run.events[:3]}")
        parsed.sort(key=lambda m: int(m[2]))  # bpftrace reads each CPU's events in turn
        check([(int(m[1]), m[3], int(m[4])) for m in parsed] == [(redis.pid, "redis-server", fd)] * 7,
              f"7 events of redis {redis.pid} on fd {fd}: {run.events}")
        check([m[5] for m in parsed] == ["read", "write"] * 3 + ["read"], "read, write for each PING, then the hang-up")
    with_redis(body)


@case("request-metrics.obs")
def request_metrics(name):
    """100 PINGs, one every 10 ms, on one connection to a redis of this test: 100 responses and 100 sends,
    and 100 request latencies; the windows of 1 s add up to them."""
    def body(redis):
        run = Example(name, "--duration", "3s", "--pid", str(redis.pid))
        redis.pings(100, every=0.01)
        run.finish()
        s = run.summary
        check((s.get("responses"), s.get("sends"), s.get("latency_us", {}).get("count")) == (100, 100, 100),
              f"responses, sends and latencies: {s.get('responses')}, {s.get('sends')}, {s.get('latency_us')}")
        check(0 < s["latency_us"]["p50"] < 10000, f"a PING answered in under 10 ms: p50 {s['latency_us']['p50']} us")
    with_redis(body)


@case("recipes/rw-latency-percentiles.obs")
def rw_latency_percentiles(name):
    """50 PINGs to a redis of this test: its 50 writes (the PONGs), and at least 51 reads (the PINGs, the
    hang-up, and its own reads of files); p50, p90 and p99 of each."""
    def body(redis):
        run = Example(name, "--duration", "2s", "--pid", str(redis.pid))
        redis.pings(50)
        hist = run.finish().get("@latency_us", {})
        counts = {k: total(v) for k, v in hist.items()}
        check(counts.get("write") == 50 and counts.get("read", 0) >= 51, f"50 writes, 51 reads or more: {counts}")
        p = run.summary.get("percentiles", {}).get("@latency_us", {})
        check(all(p.get(k, {}).get("p50", -1) <= p[k]["p90"] <= p[k]["p99"] for k in ("read", "write")),
              f"p50 <= p90 <= p99 for reads and writes: {p}")
    with_redis(body)


@case("cxx-uprobe.obs")
def cxx_uprobe(name):
    """A C++ program of a name of its own calls std::ostream::flush() 7 times and leaves with _exit: 7."""
    with Work() as w:
        flusher = w.named(OSTREAM_FLUSHES, "ebpfgen_flush")
        _, maps = run_with_duration(name, lambda: subprocess.run([flusher, "7"], check=True), "--comm", "ebpfgen_flush")
        check(maps.get("@count_by_comm") == {"ebpfgen_flush": 7}, f"7 calls: {maps}")


@case("recipes/accept-close.obs")
def accept_close(name):
    """A server of a name of its own holds each of 10 connections 20 ms: 10 spans, all in [16, 32) ms."""
    with Work() as w:
        run = Example(name, "--duration", "2s", "--comm", "ebpfgen_srv")  # before the server's first accept
        held_connections(w.named("/usr/bin/python3", "ebpfgen_srv"), 10)
        maps = run.finish()
        check(maps.get("@connections") == 10 and buckets(maps.get("@conn_ms", [])) == {16: 10},
              f"10 spans of [16, 32) ms: {maps}")


@case("recipes/ioctl-latency.obs")
def ioctl_latency(name):
    """A program that renames itself and makes 9 ioctls: 9 in its histogram; any slow ioctl printed is over 1 ms."""
    with Work() as w:
        run, maps = run_with_duration(name, lambda: subprocess.run([SYSCALL_CALLS, "ebpfgen_ioctl", "ioctl", "9"], check=True,
                                                                   stdin=subprocess.DEVNULL))
        hist = maps.get("@ioctl_us", {})
        check(total(hist.get("ebpfgen_ioctl", [])) == 9, f"9 ioctls of ebpfgen_ioctl: {hist.get('ebpfgen_ioctl')}")
        slow = re.compile(r"slow ioctl: comm=\S+ pid=\d+ args\.fd=\d+ args\.cmd=\d+ latency_us=(\d+)")
        check(all((m := slow.fullmatch(e)) and int(m[1]) >= 1000 for e in run.events),
              f"each slow ioctl printed took over 1 ms: {run.events[:3]}")


@case("recipes/large-page-allocs.obs")
def large_page_allocs(name):
    """A program that renames itself and asks 9 times to set a 64 KiB extended attribute: the kernel copies
    each value into one kmalloc'd 64 KiB buffer, 16 pages of order 4, whether the file system takes it or not."""
    with Work() as w:
        file = w.data("xattr.dat", 1)
        _, maps = run_with_duration(name, lambda: subprocess.run([SYSCALL_CALLS, "ebpfgen_xattr", "setxattr", "9", file], check=True))
        allocs = maps.get("@large_allocs", {})
        check(allocs.get("ebpfgen_xattr,4") == 9, f"9 allocations of order 4 by ebpfgen_xattr: {allocs}")


@case("recipes/runq-latency.obs")
def runq_latency(name):
    """A program sleeps 1 ms 200 times: the machine's wakeups include about one per time it was switched
    out to sleep (its own getrusage's count), each paired with the switch that ran the woken task."""
    with Work() as w:
        nap = subprocess.Popen(["/usr/bin/python3", "-c", NAPS, "200"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
        run = Example(name, "--duration", "2s")
        nap.stdin.write("go\n")
        nap.stdin.close()
        voluntary = int(nap.stdout.read())
        nap.wait(timeout=10)
        hist = run.finish().get("@runq_us", [])
        check(voluntary >= 190 and total(hist) >= voluntary - 10, f"{total(hist)} spans, {voluntary} sleeps")
        check(all(b.get("min", 0) >= 0 for b in hist) and buckets(hist), "microsecond buckets")


@case("recipes/user-function-latency.obs")
def user_function_latency(name):
    """A command that runs /bin/sleep 0.1, 0.3 and 0.3: libc's nanosleep called 3 times, once in
    [64, 128) ms and twice in [256, 512) ms, all returning 0."""
    run = Example(name, "--", "/bin/sh", "-c", "/bin/sleep 0.1; /bin/sleep 0.3; /bin/sleep 0.3")
    maps = run.finish()
    check(buckets(maps.get("@nanosleep_ms", {}).get("sleep", [])) == {64: 1, 256: 2}, f"the 3 sleeps: {maps}")
    check(maps.get("@returned") == {"sleep,0": 3}, f"3 returns of 0: {maps.get('@returned')}")


@case("recipes/stream-latency.obs")
def stream_latency(name):
    """stream_server opens 10 pairs of streams, each completed by the third call with its pointer about
    12 ms after its constructor: 20 spans, all in [8, 16) ms. The spec names the program as it is on
    PATH, and the run launches it: a command has ebpfgen's PATH. Under plain bpftrace (-k, as a command
    target's program is run), no map call fails: a span's start sets its count of end events to 0."""
    saved = os.environ["PATH"]
    os.environ["PATH"] = os.path.dirname(STREAM_SERVER) + ":" + saved
    try:
        run = Example(name, "--", "stream_server", "10")
    finally:
        os.environ["PATH"] = saved
    maps = run.finish()
    check(maps.get("@streams") == 20 and buckets(maps.get("@stream_ms", [])) == {8: 20}, f"20 spans of [8, 16) ms: {maps}")
    check("warning" not in run.stderr and run.summary.get("map_failures") == [], f"no failed map call: {run.stderr}")


@case("lessons/06-read-bytes-kprobe.obs", "lessons/07-read-latency-kprobe.obs", "lessons/12-open-paths-kprobe.obs")
def kprobe_only(name):
    """Compiled, and accepted by bpftrace's dry run; where the kernel cannot attach kprobes, --run refuses it
    (exit status 6) before it starts bpftrace."""
    spec = os.path.join(EXAMPLES, name)
    program = subprocess.run([EBPFGEN, spec, "--emit"], capture_output=True, text=True, timeout=60)
    check(program.returncode == 0 and re.search(r"^kr?e?t?probe:vfs_\w+$", program.stdout, re.M),
          f"--emit: a program with a kprobe or kretprobe on vfs_*: {program.stderr}")
    accepted = subprocess.run([ACCEPT, EBPFGEN, spec], capture_output=True, text=True, timeout=120)
    check(accepted.returncode == 0, f"bpftrace accepts it: {accepted.stdout}")
    listing = subprocess.run([EBPFGEN, "--list", "kprobe:vfs_read"], capture_output=True, text=True, timeout=60)
    if "cannot attach them" in listing.stderr:
        refused = subprocess.run([EBPFGEN, spec, "--run", "--duration", "1s"], capture_output=True, text=True, timeout=60)
        check(refused.returncode == 6 and "cannot attach kprobes" in refused.stderr,
              f"--run refuses it on this kernel: {refused.returncode} {refused.stderr}")


def every_example_has_a_case(_=None):
    """Each file under examples/, but README.md and tutorial/, has a case here."""
    found = set()
    for root, dirs, files in os.walk(EXAMPLES):
        dirs[:] = [d for d in dirs if os.path.relpath(os.path.join(root, d), EXAMPLES) != "tutorial"]
        found |= {os.path.relpath(os.path.join(root, f), EXAMPLES) for f in files if f != "README.md"}
    check(found - set(CASES) == set(), f"every example has a case in {os.path.basename(__file__)}: "
          f"none for {sorted(found - set(CASES))}")
    check(set(CASES) - found == set(), f"every case has its example: {sorted(set(CASES) - found)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["cases"]:
        print("\n".join(sorted(CASES) + ["every_example_has_a_case"]))
        sys.exit(0)
    if len(sys.argv) != 6 or (sys.argv[5] not in CASES and sys.argv[5] != "every_example_has_a_case"):
        print(__doc__.split("Usage: ")[1], file=sys.stderr)
        sys.exit(2)
    EBPFGEN, STREAM_SERVER, SYSCALL_CALLS, OSTREAM_FLUSHES = (os.path.realpath(a) for a in sys.argv[1:5])
    if sys.argv[5] == "every_example_has_a_case":
        every_example_has_a_case()
    else:
        need_tracing()
        CASES[sys.argv[5]](sys.argv[5])
