#!/usr/bin/env python3
"""ebpfgen --check and bpftrace 0.17 agree on every spec of the edge corpus.

Usage: agree.py EBPFGEN [--update-expected]

For each tests/edge/*.obs:
- `EBPFGEN SPEC --check`; its answer (`accept`, or the first line of its error)
  must be the one tests/edge/expected.txt lists for the spec, exactly;
- accepted: `EBPFGEN SPEC --emit` must compile under `bpftrace --emit-elf`
  (a dry run) and stay within bpftrace's 512 probes, which bpftrace checks
  only when it attaches (see probe_count);
- rejected: when the spec carries the program bpftrace would get (`#bt`
  lines) and says what bpftrace does with it (`# bpftrace: rejects TEXT` or
  `# bpftrace: accepts`, the latter for a rule of ebpfgen's own), that
  program must fare so under bpftrace; a rejection must name TEXT.

Prints one line per spec, then `N specs: N agree, N disagree`; exits 1 on
any disagreement or any answer that differs from expected.txt. Without
root, bpftrace or tracefs it skips (77); under CI=true that is a failure.
--update-expected rewrites expected.txt from ebpfgen's current answers.
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected.txt")
TIMEOUT = 30  # seconds, for every ebpfgen and bpftrace call
MAX_PROBES = 512  # bpftrace 0.17's BPFTRACE_MAX_PROBES default


def need_tracing():
    why = ""
    if os.geteuid() != 0:
        why = "needs root"
    elif shutil.which("bpftrace") is None:
        why = "needs bpftrace (scripts/setup installs it)"
    elif not any(os.path.isdir(d) for d in ("/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events")):
        why = "needs tracefs: mount -t tracefs tracefs /sys/kernel/tracing"
    if why:
        if os.environ.get("CI") == "true":
            print(f"FAIL: this suite {why}, and CI must run it")
            sys.exit(1)
        print(f"SKIP: this suite {why}")
        sys.exit(77)


def read_spec(path):
    """The spec's hand-written bpftrace program, what bpftrace should do with it, and the
    texts its generated program must contain."""
    program, verdict, emits = [], None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#bt "):
                program.append(line[4:])
            elif line.startswith("# bpftrace: rejects "):
                verdict = ("rejects", line[len("# bpftrace: rejects "):])
            elif line == "# bpftrace: accepts":
                verdict = ("accepts", None)
            elif line.startswith("# emits: "):
                emits.append(line[len("# emits: "):])
    if bool(program) != bool(verdict):
        raise SystemExit(f"{os.path.basename(path)}: give both the '#bt' program and '# bpftrace: ...', or neither")
    return "\n".join(program) + "\n" if program else None, verdict, emits


def run(argv, env=None):
    try:
        p = subprocess.run(argv, cwd=HERE, capture_output=True, text=True, timeout=TIMEOUT, env=env,
                           errors="replace")
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {TIMEOUT} s"


def bpftrace_error(text):
    """bpftrace's first error line, without the RLIMIT_MEMLOCK notice it prints every time
    here, and without the program's file name."""
    lines = [l for l in text.splitlines() if l.strip() and "RLIMIT_MEMLOCK" not in l]
    for line in lines:
        if "ERROR" in line or "error:" in line or "timed out" in line:
            return re.sub(r"^\S*program\.bt:[0-9:-]+: ", "", line.strip())
    return lines[-1].strip() if lines else "(no output)"


def probe_count(program, work):
    """How many probes bpftrace would attach. bpftrace checks BPFTRACE_MAX_PROBES after it has
    compiled the program and found its probes, before it loads or attaches anything; with a
    limit of 0 it stops there and says the number. Returns (count, None), or (None, error) when
    it stops before that (e.g. "No probes to attach": a uprobe on a function the binary lacks)."""
    env = dict(os.environ, BPFTRACE_MAX_PROBES="0")
    rc, out, err = run(["bpftrace", program, "0"], env=env)
    m = re.search(r"Can't attach to (\d+) probes because it exceeds the current limit of 0", out + err)
    if m:
        return int(m.group(1)), None
    return None, bpftrace_error(out + err)


def bpftrace_verdict(program_text, work):
    """(True, '<n> probes') when bpftrace compiles the program and could attach it, else
    (False, bpftrace's error)."""
    program = os.path.join(work, "program.bt")
    with open(program, "w", encoding="utf-8") as f:
        f.write(program_text)
    # $1 is the mount namespace or cgroup id of container and command targets; 0 matches nothing.
    rc, out, err = run(["bpftrace", "--emit-elf", os.path.join(work, "program.elf"), program, "0"])
    if rc != 0:
        return False, bpftrace_error(out + err)
    count, error = probe_count(program, work)
    if count is None:
        return False, f"{error} (when it attaches; the dry run compiles it)"
    if count > MAX_PROBES:
        return False, (f"ERROR: Can't attach to {count} probes because it exceeds the current limit of "
                       f"{MAX_PROBES} probes (when it attaches; the dry run compiles it)")
    return True, f"{count} probe{'' if count == 1 else 's'}"


def code_lines(program):
    return "\n".join(l for l in program.splitlines() if not l.lstrip().startswith("//"))


def check_spec(ebpfgen, name):
    """Returns (ebpfgen's answer, agrees, explanation)."""
    hand, verdict, emits = read_spec(os.path.join(HERE, name))
    rc, _, err = run([ebpfgen, name, "--check"])
    if rc not in (0, 1):
        return f"(exit status {rc})", False, f"ebpfgen --check failed: {err.strip().splitlines()[:1]}"
    answer = "accept" if rc == 0 else (err.splitlines() or ["(no message)"])[0]
    with tempfile.TemporaryDirectory(prefix="ebpfgen-edge-") as work:
        if rc == 0:
            rc, program, err = run([ebpfgen, name, "--emit"])
            if rc != 0:
                return answer, False, f"ebpfgen accepts, but --emit fails: {err.strip()}"
            missing = [e for e in emits if e not in code_lines(program)]
            if missing:
                return answer, False, f"ebpfgen accepts, but its program lacks {missing[0]!r}"
            ok, what = bpftrace_verdict(program, work)
            if ok:
                return answer, True, f"ebpfgen accepts; bpftrace compiles it ({what})"
            return answer, False, f"ebpfgen accepts; bpftrace: {what}"
        if hand is None:
            return answer, True, "ebpfgen rejects; no bpftrace program to compare"
        ok, what = bpftrace_verdict(hand, work)
        if verdict[0] == "accepts":
            if ok:
                return answer, True, f"ebpfgen rejects by a rule of its own; bpftrace would compile it ({what})"
            return answer, False, f"ebpfgen rejects; the spec says bpftrace takes its program, but bpftrace: {what}"
        if ok:
            return answer, False, f"ebpfgen rejects, but bpftrace compiles the program it would get ({what})"
        if verdict[1] not in what:
            return answer, False, f"ebpfgen rejects; bpftrace too, but not with {verdict[1]!r}: {what}"
        return answer, True, f"ebpfgen rejects; so does bpftrace: {what}"


def read_expected():
    expected = {}
    if os.path.exists(EXPECTED):
        with open(EXPECTED, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    name, _, answer = line.partition(": ")
                    expected[name] = answer
    return expected


def main():
    args = sys.argv[1:]
    update = "--update-expected" in args
    args = [a for a in args if a != "--update-expected"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr, flush=True)
        return 2
    ebpfgen = os.path.abspath(args[0])
    if not os.access(ebpfgen, os.X_OK):
        print(f"agree.py: error: cannot run {args[0]}", file=sys.stderr)
        return 2
    need_tracing()
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".obs"))
    # bpftrace's dry runs take 0.1 to 1 s each; a few at a time keep the suite well under 2 minutes.
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(pool.map(lambda n: check_spec(ebpfgen, n), names))

    if update:
        with open(EXPECTED, "w", encoding="utf-8") as f:
            f.write("# SPEC: ebpfgen --check's answer (accept, or the first line of its error).\n"
                    "# Written by tests/edge/agree.py EBPFGEN --update-expected; review with git diff.\n")
            for name, (answer, _, _) in zip(names, results):
                f.write(f"{name}: {answer}\n")
        print(f"wrote {EXPECTED}")

    expected = read_expected()
    agree = disagree = differ = 0
    for name, (answer, ok, why) in zip(names, results):
        if ok:
            agree += 1
        else:
            disagree += 1
        print(f"{'agree' if ok else 'DISAGREE':8} {name}: {why}")
        if expected.get(name) != answer:
            differ += 1
            print(f"{'':8} {name}: expected.txt says {expected.get(name, '(nothing)')!r}, ebpfgen said {answer!r}")
    for name in sorted(set(expected) - set(names)):
        differ += 1
        print(f"{'':8} {name}: listed in expected.txt, but there is no such spec")
    print(f"{len(names)} specs: {agree} agree, {disagree} disagree")
    if differ:
        print(f"{differ} answers differ from expected.txt")
    return 1 if disagree or differ else 0


if __name__ == "__main__":
    sys.exit(main())
