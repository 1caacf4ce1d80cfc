"""Spans between two events (`span NAME from PROBE key ... to PROBE key ...`),
run for real and checked against workloads whose counts and delays are known:

  - accept -> close: a server that holds each of 50 connections 20 ms before
    closing it: exactly 50 spans, all in the [16, 32) ms bucket;
  - a gRPC-shaped C++ program (tests/workloads/stream_server.cpp): 20
    streams, each opened by a constructor and completed by the third call of
    a function with its pointer, two streams open at once: `nth 3` gives 20
    spans of about 12 ms ([8, 16) ms), `nth 1` 20 of about 4 ms ([4, 8) ms);
  - run-queue latency (sched_wakeup's args.pid -> sched_switch's
    args.next_pid) of a program that sleeps 1 ms 200 times: about one span
    per time the kernel switched it out to sleep (its own getrusage count of
    voluntary switches, of which a few come without a wakeup event); beside
    a CPU hog on the same CPU, at the lowest priority, the waits grow.

Usage: spans.py EBPFGEN STREAM_SERVER CASE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from tracing import check, held_connections, need_tracing

EBPFGEN = os.path.realpath(sys.argv[1])
STREAM_SERVER = os.path.realpath(sys.argv[2])

NAP = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
/* Sleeps 1 ms N times, then prints how often the kernel switched it out to sleep meanwhile (each is one wakeup after). */
int main(int argc, char **argv) {
  struct timespec t = {0, 1000000};
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  for (int i = 0, n = atoi(argv[1]); i < n; i++) nanosleep(&t, 0);
  getrusage(RUSAGE_SELF, &after);
  printf("%ld\n", after.ru_nvcsw - before.ru_nvcsw);
  return 0;
}
"""


def start_run(spec):
    proc = subprocess.Popen([EBPFGEN, "--run", "--format", "json", "-e", spec],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(proc.stderr.readline().startswith("Tracing "), "ebpfgen says when tracing starts")
    return proc


def summary_of(proc):
    out, err = proc.communicate(timeout=60)
    check(proc.returncode == 0, f"exit status 0: {err}")
    return json.loads(out.splitlines()[-1])


def buckets(hist):
    """{"[lo, hi)": count} of the non-empty buckets of a JSON histogram."""
    return {f"[{b['min']}, {b['max'] + 1})": b["count"] for b in hist if b["count"]}


def accept_to_close_of_a_server_with_a_known_delay():
    """50 connections held 20 ms each: 50 spans, each in [16, 32) ms."""
    work = tempfile.mkdtemp(prefix="ebpfgen-spans-")
    try:
        python = os.path.join(work, "ebpfgen_srv")
        shutil.copy(os.path.realpath("/usr/bin/python3"), python)  # a name no other process has
        proc = start_run('target comm "ebpfgen_srv" duration 6s\n'
                         "span conn from syscall accept4, accept where ret >= 0 key pid, ret\n"
                         "          to syscall close key pid, args.fd {\n"
                         "  count as connections\n  hist duration in ms as conn_ms\n}")
        held_connections(python, 50)
        summary = summary_of(proc)
        check(summary["maps"]["@connections"] == 50, f"50 spans: {summary['maps']}")
        check(buckets(summary["maps"]["@conn_ms"]) == {"[16, 32)": 50}, f"all of 20 ms: {summary['maps']['@conn_ms']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def stream_spans_end_at_the_nth_call():
    """The third call with a stream's pointer ends its span (about 12 ms); nth 1 the first (about 4 ms)."""
    for nth, bucket in [(3, "[8, 16)"), (1, "[4, 8)")]:
        proc = start_run(f'duration 4s\nspan stream from uprobe rpc::Stream::Stream in "{STREAM_SERVER}" key arg0\n'
                         f'  to uprobe rpc::maybe_complete_recv_trailing_metadata in "{STREAM_SERVER}" key arg0'
                         f" nth {nth} {{\n  count as streams\n  hist duration in ms as stream_ms\n}}")
        done = subprocess.run([STREAM_SERVER, "10"], capture_output=True, text=True, timeout=30)
        check(done.stdout == "done 20\n", f"the program opened 20 streams: {done.stdout!r}")
        summary = summary_of(proc)
        check(summary["maps"]["@streams"] == 20, f"nth {nth}: 20 spans: {summary['maps']}")
        check(buckets(summary["maps"]["@stream_ms"]) == {bucket: 20},
              f"nth {nth}: all in {bucket} ms: {summary['maps']['@stream_ms']}")


def run_queue_latency_of_a_program_made_to_wait():
    """200 sleeps of 1 ms: 200 wakeups, each paired with the switch that runs it; a hog makes them wait longer."""
    work = tempfile.mkdtemp(prefix="ebpfgen-spans-")
    try:
        nap = os.path.join(work, "ebpfgen_nap")
        subprocess.run(["gcc", "-O2", "-x", "c", "-", "-o", nap], input=NAP, text=True, check=True)
        spec = ('duration 4s\nspan runq from tracepoint sched:sched_wakeup where args.comm == "ebpfgen_nap" key args.pid\n'
                "  to tracepoint sched:sched_switch key args.next_pid {\n  count as wakeups\n"
                "  hist duration in us as runq_us\n}")
        long_waits = {}
        for hog in [False, True]:
            proc = start_run(spec)
            # The sleeper at the lowest priority beside a hog on one CPU: each wakeup waits its turn.
            hogger = subprocess.Popen(["taskset", "-c", "0", "sh", "-c", "while :; do :; done"]) if hog else None
            slept = int(subprocess.run(["nice", "-n", "19", "taskset", "-c", "0", nap, "200"], check=True, timeout=60,
                                       capture_output=True, text=True).stdout)
            if hogger:
                hogger.kill()
                hogger.wait()
            summary = summary_of(proc)
            wakeups, skipped = summary["maps"]["@wakeups"], summary["skipped_probe_runs"]
            # The kernel may skip a probe that fires while another BPF program runs on its CPU; it says how often.
            # The kernel's own count of voluntary switches (getrusage's ru_nvcsw) says how many times it slept.
            check(190 <= slept <= 210, f"the program slept about 200 times: {slept}")
            # Not exact either way: a few voluntary switches come with no sched_wakeup of their own (seen:
            # 197 spans for 200 switches, with no probe run skipped), and a timer that fires before the task
            # is switched out wakes it with no voluntary switch (seen beside a hog: 200 spans, 199 switches).
            check(slept - 5 - skipped <= wakeups <= slept + 5,
                  f"{'with' if hog else 'without'} a hog: {slept} sleeps, {wakeups} spans, {skipped} probe runs skipped")
            long_waits[hog] = sum(b["count"] for b in summary["maps"]["@runq_us"] if b.get("min", 0) >= 512)
        check(long_waits[True] >= 10 and long_waits[False] <= long_waits[True] // 2,
              f"waits of 512 us or more: {long_waits[False]} alone, {long_waits[True]} beside a CPU hog")
    finally:
        shutil.rmtree(work, ignore_errors=True)


CASES = {f.__name__: f for f in [accept_to_close_of_a_server_with_a_known_delay, stream_spans_end_at_the_nth_call,
                                  run_queue_latency_of_a_program_made_to_wait]}

if __name__ == "__main__":
    need_tracing()
    CASES[sys.argv[3]]()
