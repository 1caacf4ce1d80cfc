"""io posix against real programs: Darshan's POSIX counters of a known sequence of
calls (tests/workloads/io_sequence.c), each worked out here by hand from that
sequence, and of dd and fio with known block sizes and counts; excluded and included
prefixes; a file opened twice; two processes; a process already running (--pid) and one in a container (--container); the spec's errors.

Usage: io_posix.py EBPFGEN IO_SEQUENCE CASE
"""
import json
import os
import subprocess
import sys
import tempfile

import podman_setup
from tracing import check, need_program, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])
IO_SEQUENCE = os.path.realpath(sys.argv[2])
DEFAULT_EXCLUDED = ["/etc/", "/dev/", "/usr/", "/bin/", "/boot/", "/lib/", "/opt/", "/sbin/", "/sys/", "/proc/", "/var/"]


def fnv1a(path):
    """The record id: FNV-1a, 64 bits, of the path's bytes."""
    h = 14695981039346656037
    for byte in path.encode():
        h = ((h ^ byte) * 1099511628211) % 2**64
    return h


def mount_of(path):
    """(mount point, fs type) of a path, from this process's mount table."""
    best = ("UNKNOWN", "UNKNOWN")
    with open("/proc/self/mountinfo") as f:
        for line in f:
            words = line.split()
            point = words[4].replace("\\040", " ")
            fs_type = words[words.index("-") + 1]
            if path == point or path.startswith(point.rstrip("/") + "/"):
                if best[0] == "UNKNOWN" or len(point) >= len(best[0]):
                    best = (point, fs_type)
    return best


def run(args, timeout=120):
    return subprocess.run([EBPFGEN, *args], capture_output=True, text=True, timeout=timeout)


def darshan_records(text, mounts=True):
    """{(rank, path): {counter: value}} from darshan-parser's lines, and the header lines; with
    `mounts`, each line's mount point and fs type checked against this process's mount table."""
    records, header = {}, []
    for line in text.splitlines():
        if line.startswith("#") or not line:
            header.append(line)
            continue
        module, rank, record_id, counter, value, name, mount_point, fs_type = line.split("\t")
        check(module == "POSIX", f"module: {line!r}")
        check(int(record_id) == fnv1a(name), f"record id of {name}: {record_id}")
        if mounts:
            check((mount_point, fs_type) == mount_of(name), f"mount of {name}: {mount_point} {fs_type} != {mount_of(name)}")
        records.setdefault((int(rank), name), {})[counter] = float(value) if "." in value else int(value)
    return records, header


# The counters of one record, all zero but these (floats are checked apart).
def expect(record, name, **wanted):
    for counter, value in record.items():
        if counter.startswith("POSIX_F_"):
            continue
        short = counter[len("POSIX_"):]
        want = wanted.get(short, 0)
        check(value == want, f"{name}: {counter} is {value}, worked out {want}")
    for short in wanted:
        check("POSIX_" + short in record, f"{name}: no POSIX_{short}")


def times_in_order(record, name, seconds):
    f = {k[len("POSIX_F_"):]: v for k, v in record.items() if k.startswith("POSIX_F_")}
    check(len(f) == 17, f"{name}: 17 float counters, not {len(f)}")
    for k, v in f.items():
        check(0 <= v <= seconds + 1, f"{name}: POSIX_F_{k} = {v} is outside the run (0 to {seconds} s)")
    for op in ("OPEN", "READ", "WRITE", "CLOSE"):
        check(f[f"{op}_START_TIMESTAMP"] <= f[f"{op}_END_TIMESTAMP"], f"{name}: {op} start after its end: {f}")
    return f


def sequence_spec(tmp, work):
    """The spec of the known sequence: Darshan's prefixes, the work directory's hidden/ too,
    but its hidden/kept* taken back."""
    spec = os.path.join(tmp, "io.obs")
    excluded = ", ".join(f'"{p}"' for p in DEFAULT_EXCLUDED + [work + "/hidden/"])
    with open(spec, "w") as f:
        f.write(f'io posix exclude {excluded} include "{work}/hidden/kept"\nduration 30s\n')
    return spec


def check_sequence(records, header, work, host_work=None):
    """Every counter of the known sequence's records (tests/workloads/io_sequence.c), as
    darshan-parser's lines gave them, against the values worked out here; `work` as the
    sequence saw its directory, `host_work` as this test sees it (a container's differs)."""
    a, b, c, d = (os.path.join(work, n) for n in ("a.dat", "b.dat", "c.dat", "d.dat"))
    kept = os.path.join(work, "hidden", "kept.dat")
    # Two processes: the program (rank 0, its first open first) and its child (rank 1).
    check(set(records) == {(0, a), (0, b), (0, c), (0, d), (0, kept), (1, b)},
          f"records: {sorted(records)} (no other file, nothing under an excluded prefix)")
    check("# nprocs: 2" in header and header[0] == "# darshan log version: 3.41", f"header: {header[:12]}")
    check(header.count("#<module>\t<rank>\t<record id>\t<counter>\t<value>\t<file name>\t<mount pt>\t<fs type>") == 1,
          "the column line")
    for record in records.values():
        check(len(record) == 86, f"86 counters a record: {len(record)}")
    blksize = os.stat(os.path.join(host_work or work, "b.dat")).st_blksize
    # a.dat, worked out call by call (see io_sequence.c): the shadow offset moves with
    # every read and write, pread's included; a close resets the last bytes, an open
    # the offset too, neither the last operation.
    expect(records[(0, a)], "a.dat",
           OPENS=3, DUPS=1, READS=12, WRITES=6, SEEKS=1, STATS=2, MMAPS=1, FSYNCS=1, FDSYNCS=1,
           RENAME_SOURCES=1, MODE=0o644, BYTES_READ=300 + 400 + 10 + 100 + 100 + 111100, BYTES_WRITTEN=111100 + 10 + 500,
           MAX_BYTE_READ=111099, MAX_BYTE_WRITTEN=111099, CONSEC_READS=4, CONSEC_WRITES=3, SEQ_READS=10, SEQ_WRITES=4,
           RW_SWITCHES=5, MEM_ALIGNMENT=8, FILE_NOT_ALIGNED=15, FILE_ALIGNMENT=blksize,
           MAX_READ_TIME_SIZE=records[(0, a)]["POSIX_MAX_READ_TIME_SIZE"],
           MAX_WRITE_TIME_SIZE=records[(0, a)]["POSIX_MAX_WRITE_TIME_SIZE"],
           SIZE_READ_0_100=11, SIZE_READ_100K_1M=1,
           SIZE_WRITE_0_100=2, SIZE_WRITE_100_1K=2, SIZE_WRITE_1K_10K=1, SIZE_WRITE_10K_100K=1,
           STRIDE1_STRIDE=900, STRIDE1_COUNT=3, STRIDE2_STRIDE=700, STRIDE2_COUNT=1,
           STRIDE3_STRIDE=500, STRIDE3_COUNT=1, STRIDE4_STRIDE=110, STRIDE4_COUNT=1,
           ACCESS1_ACCESS=100, ACCESS1_COUNT=10, ACCESS2_ACCESS=10, ACCESS2_COUNT=2,
           ACCESS3_ACCESS=111100, ACCESS3_COUNT=1, ACCESS4_ACCESS=100000, ACCESS4_COUNT=1)
    # The slowest read and write are one of the sizes each made (which one is timing).
    check(records[(0, a)]["POSIX_MAX_READ_TIME_SIZE"] in {100, 10, 111100, 0},
          f"slowest read: {records[(0, a)]['POSIX_MAX_READ_TIME_SIZE']}")
    check(records[(0, a)]["POSIX_MAX_WRITE_TIME_SIZE"] in {100, 1000, 10000, 100000, 10, 500},
          f"slowest write: {records[(0, a)]['POSIX_MAX_WRITE_TIME_SIZE']}")
    # b.dat: renamed to, never opened by the program (so no alignment known: -1); opened by the child.
    expect(records[(0, b)], "b.dat", RENAME_TARGETS=1, RENAMED_FROM=fnv1a(a) - (2**64 if fnv1a(a) >= 2**63 else 0),
           MEM_ALIGNMENT=8, FILE_ALIGNMENT=-1)
    expect(records[(1, b)], "b.dat (child)", OPENS=1, READS=1, BYTES_READ=10, MAX_BYTE_READ=9,
           MEM_ALIGNMENT=8, FILE_ALIGNMENT=blksize, MAX_READ_TIME_SIZE=10, SIZE_READ_0_100=1,
           ACCESS1_ACCESS=10, ACCESS1_COUNT=1)
    # c.dat: opened twice, one record; the read after reopening is a switch from the writes.
    check(records[(0, c)]["POSIX_MAX_WRITE_TIME_SIZE"] in {4096, 100}, "c.dat's slowest write")
    expect(records[(0, c)], "c.dat", OPENS=2, READS=1, WRITES=2, MODE=0o600, BYTES_READ=4096,
           BYTES_WRITTEN=4196, MAX_BYTE_READ=4095, MAX_BYTE_WRITTEN=4195, SEQ_WRITES=1, CONSEC_WRITES=1,
           RW_SWITCHES=1, MEM_NOT_ALIGNED=2, MEM_ALIGNMENT=8, FILE_ALIGNMENT=blksize, MAX_READ_TIME_SIZE=4096,
           MAX_WRITE_TIME_SIZE=records[(0, c)]["POSIX_MAX_WRITE_TIME_SIZE"], SIZE_READ_1K_10K=1,
           SIZE_WRITE_0_100=1, SIZE_WRITE_1K_10K=1, ACCESS1_ACCESS=4096, ACCESS1_COUNT=2, ACCESS2_ACCESS=100,
           ACCESS2_COUNT=1)
    # d.dat: opened, then two filenos of its stream, each an open too (Darshan's REFOPEN);
    # fdopen's fcntl(F_GETFL) is not a dup; fclose closes it.
    expect(records[(0, d)], "d.dat", OPENS=3, FILENOS=2, MODE=0o600, MEM_ALIGNMENT=8, FILE_ALIGNMENT=blksize)
    expect(records[(0, kept)], "hidden/kept.dat", OPENS=1, WRITES=1, MODE=0o644, BYTES_WRITTEN=10,
           MAX_BYTE_WRITTEN=9, MEM_ALIGNMENT=8, FILE_ALIGNMENT=blksize, MAX_WRITE_TIME_SIZE=10, SIZE_WRITE_0_100=1,
           ACCESS1_ACCESS=10, ACCESS1_COUNT=1)
    seconds = float(next(l for l in header if l.startswith("# run time: ")).split(": ")[1])
    f = times_in_order(records[(0, a)], "a.dat", seconds)
    check(f["READ_TIME"] > 0 and f["WRITE_TIME"] > 0 and f["META_TIME"] > 0, f"a.dat's times: {f}")
    check(f["OPEN_START_TIMESTAMP"] <= f["WRITE_START_TIMESTAMP"] <= f["READ_START_TIMESTAMP"] <= f["CLOSE_START_TIMESTAMP"],
          f"a.dat's first open, write, read and close in that order: {f}")
    check(f["MAX_READ_TIME"] <= f["READ_TIME"] and f["MAX_WRITE_TIME"] <= f["WRITE_TIME"], f"a.dat's maxima: {f}")
    f = times_in_order(records[(0, b)], "b.dat", seconds)
    check(f["META_TIME"] == 0 and f["READ_TIME"] == 0, f"b.dat was only renamed to: {f}")


def known_sequence():
    need_tracing()
    with tempfile.TemporaryDirectory(prefix="ebpfgen-io-") as tmp:
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        spec = sequence_spec(tmp, work)
        r = run([spec, "--run", "--format", "darshan", "--", IO_SEQUENCE, work])
        check(r.returncode == 0, f"exit 0: {r.returncode} {r.stderr}")
        records, header = darshan_records(r.stdout)
        check_sequence(records, header, work)
        # The same run's summary, as a person reads it, and as JSON: one object per record.
        again = os.path.join(tmp, "again")
        os.mkdir(again)
        r = run([spec, "--run", "--", IO_SEQUENCE, again])
        check(r.returncode == 0, f"table: {r.returncode} {r.stderr}")
        check(f"{again}/a.dat  (pid " in r.stdout and "  opens 3 (dups 1)  reads 12  writes 6  seeks 1  stats 2  mmaps 1"
              in r.stdout and "most common strides: 900 B x 3, 700 B x 1, 500 B x 1, 110 B x 1" in r.stdout
              and "job: 2 processes, 7 file records" in r.stdout, f"summary: {r.stdout}")
        # Bytes moved: a.dat's 112010 read and 111610 written, c.dat's 4096 and 4196, the 10 of
        # kept.dat and of x.dat (whose directory this run's spec does not exclude), the child's 10 of b.dat.
        check("\nperformance: 231942 bytes moved; the slowest process (pid " in r.stdout, f"performance: {r.stdout}")
    print("ok: io posix counters of a known sequence")


def known_sequence_of_a_running_process():
    """The same sequence in a process that was running before the program started, watched
    by `--pid` with `--descendants` (its child is rank 1): it waits on a fifo, which this
    test opens once ebpfgen says it is tracing, then execs the sequence under the same pid.
    Its counters are the launched command's, every one."""
    need_tracing()
    with tempfile.TemporaryDirectory(prefix="ebpfgen-io-") as tmp:
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        spec = sequence_spec(tmp, work)
        go = os.path.join(tmp, "go")
        os.mkfifo(go)
        job = subprocess.Popen(["sh", "-c", 'read line < "$1" && exec "$2" "$3"', "sh", go, IO_SEQUENCE, work])
        try:
            tracer = subprocess.Popen([EBPFGEN, spec, "--run", "--format", "darshan", "--pid", str(job.pid), "--descendants"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            started = tracer.stderr.readline()
            check(started.startswith("Tracing "), f"ebpfgen traces: {started!r}")
            with open(go, "w") as f:
                f.write("go\n")
            out, err = tracer.communicate(timeout=60)
            check(tracer.returncode == 0 and f"process {job.pid} exited" in err, f"exit 0 at the job's end: {tracer.returncode} {err}")
            check(job.wait(timeout=10) == 0, "the sequence ran")
            records, header = darshan_records(out)
            check_sequence(records, header, work)
        finally:
            job.kill()
    print("ok: io posix counters of a process already running")


def known_sequence_in_a_container():
    """The same sequence in a podman container (podman_setup.py), watched by `--container`: the
    program and the C library whose fileno() is counted exist only in the image, found through
    the container's root; the paths are the container's own. Its first process waits on a fifo
    (bound in from here), which this test opens once ebpfgen says it is tracing, then execs the
    sequence on /work, a directory of this test's bound in. Every counter is the launched
    command's. The mounts are not compared: the report reads the process's mount table, or,
    once it has gone, ebpfgen's."""
    need_tracing()
    podman_setup.prepare()
    with tempfile.TemporaryDirectory(prefix="ebpfgen-io-") as tmp, podman_setup.Podman() as pm:
        host_work, sync = os.path.join(tmp, "work"), os.path.join(tmp, "sync")
        os.mkdir(host_work)
        os.mkdir(sync)
        os.mkfifo(os.path.join(sync, "go"))
        image = pm.image("io", programs=[(IO_SEQUENCE, "/opt/io/io_sequence")], dirs=("/work", "/sync"))
        pm.run("io", image, "sh", "-c", "read line < /sync/go && exec /opt/io/io_sequence /work",
               options=["-v", f"{host_work}:/work", "-v", f"{sync}:/sync"])
        pm.wait_running(pm.name("io"))
        spec = sequence_spec(tmp, "/work")
        tracer = subprocess.Popen([EBPFGEN, spec, "--run", "--format", "darshan", "--container", pm.name("io"),
                                   "--runtime", "podman"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            started = tracer.stderr.readline()
            check(started.startswith("Tracing "), f"ebpfgen traces: {started!r}")
            with open(os.path.join(sync, "go"), "w") as f:
                f.write("go\n")
            out, err = tracer.communicate(timeout=60)
        finally:
            tracer.kill()
        check(tracer.returncode == 0 and f"container '{pm.name('io')}' exited" in err,
              f"exit 0 at the container's end: {tracer.returncode} {err}")
        records, header = darshan_records(out, mounts=False)
        check_sequence(records, header, "/work", host_work)
    print("ok: io posix counters of a container's process")


def dd_known_blocks():
    need_tracing()
    need_program("dd")
    with tempfile.TemporaryDirectory(prefix="ebpfgen-io-") as tmp:
        out = os.path.join(tmp, "dd.out")
        r = run(["-e", "io posix duration 30s", "--run", "--format", "json", "--", "dd", "if=/dev/zero", f"of={out}",
                 "bs=4096", "count=8"])
        check(r.returncode == 0, f"exit 0: {r.returncode} {r.stderr}")
        lines = [json.loads(l) for l in r.stdout.splitlines()]
        check([l["file"] for l in lines] == [out], f"one record, dd.out (/dev/zero and the libraries excluded): {lines}")
        rec = lines[0]
        check(rec["record_id"] == fnv1a(out) and (rec["mount_point"], rec["fs_type"]) == mount_of(out), f"record: {rec}")
        c = rec["counters"]
        # dd opens of=, dup2()s it to its stdout, closes the first descriptor, writes 8 blocks.
        wanted = {"POSIX_OPENS": 2, "POSIX_DUPS": 1, "POSIX_WRITES": 8, "POSIX_BYTES_WRITTEN": 8 * 4096,
                  "POSIX_MAX_BYTE_WRITTEN": 8 * 4096 - 1, "POSIX_SEQ_WRITES": 7, "POSIX_CONSEC_WRITES": 7,
                  "POSIX_SIZE_WRITE_1K_10K": 8, "POSIX_ACCESS1_ACCESS": 4096, "POSIX_ACCESS1_COUNT": 8,
                  "POSIX_MODE": 0o666, "POSIX_READS": 0, "POSIX_FILE_NOT_ALIGNED": 0, "POSIX_RW_SWITCHES": 0,
                  "POSIX_FILENOS": 0, "POSIX_MAX_WRITE_TIME_SIZE": 4096}
        for k, v in wanted.items():
            check(c[k] == v, f"dd: {k} is {c[k]}, not {v}")
        check(len(c) == 69 and len(rec["fcounters"]) == 17, f"counters: {len(c)} {len(rec['fcounters'])}")
    print("ok: io posix counters of dd")


def fio_known_jobs():
    """Three fio jobs in one run, each a process of its own with a file of its own, and each
    record worked out from the job's options alone: fio's sync engine writes with write(),
    psync reads with pread64(), pvsync2 writes with pwritev2(); `rw=read:4k` skips 4 KiB after
    each read (a stride of 4096) and io_size=32k stops it after 8 reads of the 64 KiB file;
    bs=1000 puts 9 of 10 writes at offsets that are not multiples of the 4096-byte block.
    fio's main process lays out the file the read job needs (64 KiB in 4 KiB writes, then an
    fsync: create_fsync's default) and creates the others; its records are checked for that."""
    need_tracing()
    need_program("fio")
    with tempfile.TemporaryDirectory(prefix="ebpfgen-io-") as tmp:
        w, rd, v = (os.path.join(tmp, n) for n in ("w.dat", "r.dat", "v.dat"))
        r = run(["-e", "io posix duration 60s", "--run", "--format", "json", "--", "fio", "--output=/dev/null",
                 "--name=w", f"--filename={w}", "--rw=write", "--bs=4k", "--size=64k", "--ioengine=sync",
                 "--name=r", f"--filename={rd}", "--rw=read:4k", "--bs=4k", "--size=64k", "--io_size=32k",
                 "--ioengine=psync",
                 "--name=v", f"--filename={v}", "--rw=write", "--bs=1000", "--size=10000", "--ioengine=pvsync2"])
        check(r.returncode == 0, f"exit 0: {r.returncode} {r.stderr}")
        lines = [json.loads(l) for l in r.stdout.splitlines()]
        by_pid = {}
        for rec in lines:
            by_pid.setdefault(rec["pid"], []).append(rec)
        jobs = {recs[0]["file"]: recs[0] for recs in by_pid.values() if len(recs) == 1}
        check(set(jobs) == {w, rd, v}, f"one process a job, each with one record: {sorted(jobs)}")
        main = [recs for recs in by_pid.values() if len(recs) > 1]
        check(len(main) == 1, f"fio's main process: {[[x['file'] for x in m] for m in main]}")
        ranks = sorted(rec["rank"] for rec in lines)
        check(set(ranks) == {0, 1, 2, 3} and all(rec["rank"] == 0 for rec in main[0]), f"ranks: {ranks}")

        always = dict(OPENS=1, MEM_ALIGNMENT=8, FILE_ALIGNMENT=os.stat(w).st_blksize, MODE=0o600)
        expect(jobs[w]["counters"], "fio sync writes", **always, WRITES=16, BYTES_WRITTEN=65536, MAX_BYTE_WRITTEN=65535,
               SEQ_WRITES=15, CONSEC_WRITES=15, MAX_WRITE_TIME_SIZE=4096, SIZE_WRITE_1K_10K=16,
               ACCESS1_ACCESS=4096, ACCESS1_COUNT=16)
        # Reads at 0, 8192, ..., 57344: each after a 4096-byte hole, none consecutive.
        expect(jobs[rd]["counters"], "fio strided preads", **{**always, "MODE": 0}, READS=8, BYTES_READ=32768,
               MAX_BYTE_READ=57344 + 4095, SEQ_READS=7, MAX_READ_TIME_SIZE=4096, SIZE_READ_1K_10K=8,
               STRIDE1_STRIDE=4096, STRIDE1_COUNT=7, ACCESS1_ACCESS=4096, ACCESS1_COUNT=8)
        expect(jobs[v]["counters"], "fio pwritev2 of 1000 bytes", **always, WRITES=10, BYTES_WRITTEN=10000,
               MAX_BYTE_WRITTEN=9999, SEQ_WRITES=9, CONSEC_WRITES=9, FILE_NOT_ALIGNED=9, MAX_WRITE_TIME_SIZE=1000,
               SIZE_WRITE_100_1K=10, ACCESS1_ACCESS=1000, ACCESS1_COUNT=10)
        layout = {rec["file"]: {k[len("POSIX_"):]: n for k, n in rec["counters"].items()} for rec in main[0]}
        check({w, rd, v} <= set(layout), f"fio's main process creates the three files: {sorted(layout)}")
        lay = layout[rd]
        check((lay["WRITES"], lay["BYTES_WRITTEN"], lay["SIZE_WRITE_1K_10K"], lay["CONSEC_WRITES"], lay["FSYNCS"],
               lay["READS"]) == (16, 65536, 16, 15, 1, 0), f"the read job's file laid out: {lay}")
        for path in (w, v):
            check(layout[path]["WRITES"] == 0 and layout[path]["OPENS"] >= 1, f"{path} only created: {layout[path]}")
    print("ok: io posix counters of three fio jobs")


def spec_errors():
    cases = [
        ('io posix window 1s', "<command-line>:1:17: error: io posix reports each file's counters once, when the run "
         "ends: it takes no window"),
        ('io posix exclude "tmp/"', "<command-line>:1:18: error: a prefix is an absolute path: it starts with '/' "
         "(a relative path is never matched)"),
        ('io posix exclude "/a/", "/a/"', "<command-line>:1:25: error: prefix \"/a/\" is listed twice"),
        ('io posix io posix', "<command-line>:1:10: error: io posix given twice"),
        ('io posx', "<command-line>:1:4: error: expected an I/O module after 'io': posix; did you mean 'posix'?"),
        ('io posix exclude', "<command-line>:1:17: error: expected a quoted path prefix, e.g. exclude \"/scratch/tmp/\""),
        ('io posix exclude "/' + "x" * 63 + '"', "<command-line>:1:18: error: this prefix has 64 bytes; bpftrace's "
         "strings hold at most 63 (BPFTRACE_STRLEN is 64, with the closing NUL)"),
        ('io posix on syscall read { count as io_reads }', "<command-line>:1:37: error: 'io_reads' is reserved for "
         "ebpfgen's own maps"),
    ]
    for spec, wanted in cases:
        r = run(["--check", "--syscall-table", "builtin", "-e", spec])
        first = r.stderr.splitlines()[0] if r.stderr else ""
        check(r.returncode == 1 and first == wanted, f"{spec!r}: {r.returncode} {first!r} != {wanted!r}")
    r = run(["--run", "--format", "darshan", "-e", "on syscall read { count }"])
    check(r.returncode == 2 and "--format darshan prints the counters of 'io posix'" in r.stderr, f"{r.stderr!r}")
    print("ok: io posix errors")


if __name__ == "__main__":
    cases = {"known_sequence": known_sequence, "known_sequence_of_a_running_process": known_sequence_of_a_running_process,
             "known_sequence_in_a_container": known_sequence_in_a_container,
             "dd_known_blocks": dd_known_blocks, "fio_known_jobs": fio_known_jobs, "spec_errors": spec_errors}
    cases[sys.argv[3]]()
