"""Uprobes by readable name, run for real on tests/uprobe-target's program.

uprobe_target N calls shop::Cart::add(int) N times, add(const std::string&)
2N times, total() once (it returns N + 8N: each string adds its length 4)
and shop::slow_step() three times (20 ms each), then prints "done N" with
std::endl (a flush of std::cout).

Usage: uprobes.py EBPFGEN UPROBE_TARGET CASE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import podman_setup
from tracing import check, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])
TARGET = os.path.realpath(sys.argv[2])


def run(args, **kwargs):
    return subprocess.run([EBPFGEN, *args], capture_output=True, text=True, timeout=60, **kwargs)


def summary_of(r):
    check(r.returncode == 0, f"ebpfgen exited 0: {r.returncode} {r.stderr!r}")
    return json.loads(r.stdout.splitlines()[-1])


def calls_latency_arguments_and_return_value():
    """By C++ name, signature and glob; latency per thread; an argument as a key; the return value."""
    need_tracing()
    spec = f"""
on uprobe "shop::Cart::add(int)" in "{TARGET}" {{ count as add_int  count by arg1 as cents }}
on uprobe "shop::Cart::*" in "{TARGET}" {{ count by func as methods }}
on uprobe shop::slow_step in "{TARGET}" {{ hist latency in ms as slow_ms  stats latency in us as slow_us }}
on uretprobe shop::Cart::total in "{TARGET}" {{ max ret as total }}
"""
    summary = summary_of(run(["-e", spec, "--run", "--format", "json", "--", TARGET, "7"]))
    maps = summary["maps"]
    print(json.dumps(maps))
    check(maps["@add_int"] == 7, "add(int) called 7 times: the overload the signature names")
    check(maps["@cents"] == {"1": 7}, "its argument (arg1; arg0 is this) as a key")
    check(maps["@methods"] == {"shop::Cart::add(int)": 7,
                               "shop::Cart::add(std::__cxx11::basic_string<char, std::char_t...": 14,
                               "shop::Cart::total": 1}, "the glob: every method, by its C++ name")
    check(maps["@total"] == 63, "the return value of total(): 7 + 14 * 4")
    check(maps["@slow_ms"] == [{"min": 16, "max": 31, "count": 3}] or
          maps["@slow_ms"] == [{"count": 3, "max": 31, "min": 16}], "three 20 ms calls in the [16, 32) ms bucket")
    check(maps["@slow_us"]["count"] == 3 and 20000 <= maps["@slow_us"]["mean"] < 25000,
          f"mean latency 20 ms and a little: {maps['@slow_us']}")


def tutorial_exercise_in_one_line():
    """The tutorial's C++ uprobe exercise: a library function by its C++ name, the library by its name."""
    need_tracing()
    r = run(["-e", "on uprobe std::ostream::flush in libstdc++ { count by comm as flushes }", "--run", "--format",
             "json", "--", TARGET, "2"])
    maps = summary_of(r)["maps"]
    print(json.dumps(maps))
    # std::endl once, and four more as it exits: libstdc++ flushes its standard streams
    # (measured with bpftrace's ustack: 1 from main, 1 from libc's exit, 3 inside libstdc++).
    check(maps["@flushes"] == {"uprobe_target": 5}, "the program's std::endl and its exit-time flushes")
    emitted = run(["-e", "on uprobe std::ostream::flush in libstdc++ { count }", "--emit"]).stdout
    check("//   std::ostream::flush()\nuprobe:\"" in emitted and "libstdc++.so.6\":_ZNSo5flushEv\n" in emitted,
          "the program names the mangled symbol in the library's file")


def start_hidden(hidden):
    """The program copied to a path that exists only in a mount namespace of its own, held on stdin."""
    inner = os.path.join(hidden, "uprobe_target")
    script = f'mount -t tmpfs tmpfs "{hidden}" && cp "{TARGET}" "{inner}" && exec "{inner}" --wait-stdin 4'
    proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    while time.time() < deadline and not os.readlink(f"/proc/{proc.pid}/exe").endswith("/uprobe_target"):
        time.sleep(0.02)
    return proc, inner


def traced_hidden(proc, spec, target_args, keep, env=None):
    """Traces the held program through its root; returns the summary."""
    trace = subprocess.Popen([EBPFGEN, "-e", spec, "--run", "--format", "json", "--keep", keep, *target_args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = trace.stderr.readline()
    check(line.startswith("Tracing "), f"tracing started: {line!r}")
    proc.stdin.write("go\n")
    proc.stdin.flush()
    out, err = trace.communicate(timeout=60)
    check(trace.returncode == 0, f"ebpfgen exited 0: {err!r}")
    return json.loads(out.splitlines()[-1])


def binary_only_inside_a_mount_namespace():
    """A copy of the program at a path that exists only in its own mount namespace, found through
    /proc/PID/root for a pid target (binary_only_inside_a_podman_image does it for a container)."""
    need_tracing()
    hidden = tempfile.mkdtemp(prefix="ebpfgen-hidden-")
    keep = hidden + ".bt"
    inner = os.path.join(hidden, "uprobe_target")
    spec = f'on uprobe "shop::Cart::add(int)" in "{inner}" {{ count as add_int }}'
    proc = None
    try:
        proc, inner = start_hidden(hidden)
        check(not os.path.exists(inner), f"{inner} does not exist outside")
        r = run(["-e", spec, "--check"])
        check(r.returncode == 1 and f"error: cannot find '{inner}'" in r.stderr, f"not on the host: {r.stderr!r}")
        listed = run(["--symbols", inner, "shop::Cart::add", "--pid", str(proc.pid)])
        check(listed.returncode == 0 and listed.stdout.splitlines()[0] == "shop::Cart::add(int)  _ZN4shop4Cart3addEi",
              f"--symbols through the target's root: {listed.stdout!r} {listed.stderr!r}")
        summary = traced_hidden(proc, spec, ["--pid", str(proc.pid)], keep)
        check(summary["maps"]["@add_int"] == 4, f"4 calls, counted through /proc/{proc.pid}/root: {summary}")
        check(summary["ended_by"] == f"process {proc.pid} exited", "the run ended with the process")
        check(f'uprobe:"/proc/{proc.pid}/root{inner}":_ZN4shop4Cart3addEi' in open(keep).read(),
              "attached through its root")
    finally:
        if proc:
            proc.kill()
            proc.wait()
        shutil.rmtree(hidden, ignore_errors=True)
        if os.path.exists(keep):
            os.remove(keep)


def binary_only_inside_a_podman_image():
    """The program exists only in a podman image, at /opt/shop/bin, on the image's PATH. Named by its C++ name
    in the program found by name on the container's PATH, through the container's root; the same binary runs
    in a second container of the image at the same time (one file for the kernel: the image's layer), and
    only the traced container's calls count."""
    need_tracing()
    podman_setup.prepare()
    inner = "/opt/shop/bin/uprobe_target"
    keep = tempfile.mktemp(prefix="ebpfgen-shop-", suffix=".bt")
    spec = 'on uprobe "shop::Cart::add(int)" in uprobe_target { count as add_int }'
    with podman_setup.Podman() as pm:
        try:
            image = pm.image("shop", programs=[(TARGET, inner)], env={"PATH": "/opt/shop/bin:/bin"})
            shop, twin = (pm.run(what, image, "uprobe_target", "--wait-stdin", n, options=["-i"], detach=False,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                          for what, n in (("shop", "4"), ("twin", "7")))
            name = pm.name("shop")
            pid = pm.wait_running(name)
            pm.wait_running(pm.name("twin"))
            check(not os.path.exists(inner), f"{inner} does not exist on the host")
            r = run(["-e", spec, "--check"])
            check(r.returncode == 1 and "error: cannot find program 'uprobe_target' in PATH" in r.stderr,
                  f"not on the host's PATH: {r.stderr.splitlines()[:1]}")
            listed = run(["--symbols", "uprobe_target", "shop::Cart::add", "--container", name])
            check(listed.returncode == 0 and listed.stdout.splitlines()[0] == "shop::Cart::add(int)  "
                  "_ZN4shop4Cart3addEi" and listed.stderr == f"2 functions in /proc/{pid}/root{inner}\n",
                  f"--symbols through the container's root: {listed.stdout!r} {listed.stderr!r}")
            trace = subprocess.Popen([EBPFGEN, "-e", spec, "--run", "--format", "json", "--keep", keep,
                                      "--container", name, "--runtime", "podman"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            line = trace.stderr.readline()
            check(line.startswith(f'Tracing container "{name}" (podman)'), f"tracing started: {line!r}")
            for p in (twin, shop):
                p.stdin.write("go\n")
                p.stdin.flush()
            check([p.stdout.read().strip() for p in (shop, twin)] == ["done 4", "done 7"], "both ran their calls")
            for p in (shop, twin):
                p.wait(timeout=30)
            out, err = trace.communicate(timeout=60)
            check(trace.returncode == 0, f"ebpfgen exited 0: {err!r}")
            summary = json.loads(out.splitlines()[-1])
            check(summary["maps"]["@add_int"] == 4, f"the container's 4 calls, not its twin's 7: {summary['maps']}")
            check(summary["ended_by"] == f"container '{name}' exited", f"the run ended with it: {summary['ended_by']}")
            check(f'uprobe:"/proc/{pid}/root{inner}":_ZN4shop4Cart3addEi' in open(keep).read(),
                  "attached through the container's root, by the path inside")
        finally:
            if os.path.exists(keep):
                os.remove(keep)


def symbols_listing():
    """--symbols BINARY [PATTERN]: demangled names with their mangled ones; wrong names get close matches."""
    r = run(["--symbols", TARGET, "shop::Cart::*"])
    check(r.returncode == 0 and r.stdout == "shop::Cart::add(int)  _ZN4shop4Cart3addEi\n"
          "shop::Cart::add(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)  "
          "_ZN4shop4Cart3addERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE\n"
          "shop::Cart::total() const  _ZNK4shop4Cart5totalEv\n", f"the three methods: {r.stdout!r}")
    check(r.stderr == f"3 functions in {TARGET}\n", r.stderr)
    r = run(["--symbols", TARGET, "slow_step"])
    check(r.stdout == "shop::slow_step()  _ZN4shop9slow_stepEv\n", f"a word matches anywhere: {r.stdout!r}")
    r = run(["-e", f'on uprobe shop::slow_stp in "{TARGET}" {{ count }}', "--check"])
    check(r.returncode == 1 and r.stderr.endswith("  note: did you mean 'shop::slow_step()'?\n"),
          f"closest match: {r.stderr!r}")
    r = run(["--symbols", "sh", "--pid", "12;x"])
    check(r.returncode == 2 and r.stderr == "ebpfgen: error: target option: '12;x' is not a process id\n",
          f"a bad target option: {r.stderr!r}")
    r = run(["--symbols", "no-such-program-here"])
    check(r.returncode == 1 and r.stderr.startswith("ebpfgen: error: cannot find program 'no-such-program-here' in PATH"),
          f"missing binary: {r.stderr!r}")


CASES = {f.__name__: f for f in [calls_latency_arguments_and_return_value, tutorial_exercise_in_one_line,
                                  binary_only_inside_a_mount_namespace, binary_only_inside_a_podman_image,
                                  symbols_listing]}

if __name__ == "__main__":
    CASES[sys.argv[3]]()
