"""The HTML report of a real run, as a browser shows it: `ebpfgen --run
--report` traces a real redis-server (its executable renamed so that its
name, and so the key of a `by comm` map, holds markup, quotes and a control
byte) while two clients send PINGs; Debian's Chromium, headless and
without network, loads the page from the file. Its rendered DOM must hold
one chart per series, a point per window in each with the values the JSON
stream of the same run reports, the histograms' bars adding up to the
run's counts, and the hostile name as text. A screenshot is kept.

Usage: report_html.py EBPFGEN CASE
The page and its screenshot are kept in $EBPFGEN_ARTIFACTS (meson sets the
build directory's meson-logs), else in the test's work directory; their
paths are printed.
"""
import html.parser
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

from tracing import check, free_port, need_program, need_tracing, wait_for

EBPFGEN = os.path.realpath(sys.argv[1])
# The renamed redis-server: a comm with markup, both quotes, an ampersand and a control byte.
HOSTILE = '<b>&"\'\x01rds'
SHOWN = HOSTILE.replace("\x01", "\\x01")  # as the page shows it
SPEC = """\
# The HTML report's test: request metrics of a redis-server, and its reads.
window 1s
duration 4s
metrics rps, responses, saturation, slack, latency
on syscall read where ret > 0 {
  count as reads
  count by comm as reads_by_comm
  max ret as biggest_read
  hist ret as read_bytes
}
"""
PER_WINDOW = {  # data-series -> the JSON stream's value of a window, by line
    "rps": lambda w: {"rps": w["rps"]},
    "responses_per_s": lambda w: {"responses_per_s": w["responses_per_s"]},
    "latency_us": lambda w: {p: w["latency_us"][p] for p in ("p50", "p90", "p99")},
    "saturation_var_us2": lambda w: {"saturation_var_us2": w["saturation_var_us2"]},
    "slack_mean_us": lambda w: {"slack_mean_us": w["slack_mean_us"]},
    "@reads": lambda w: {"@reads": w["maps"].get("@reads", 0)},
    "@reads_by_comm": lambda w: {SHOWN: w["maps"].get("@reads_by_comm", {}).get(HOSTILE, 0)},
    "@biggest_read": lambda w: {"@biggest_read": w["maps"]["@biggest_read"]},
}
HISTOGRAMS = ["request_latency", "@read_bytes"]








def ping_until(port, stop, sent):
    """PINGs on one connection, each answered before the next, about 500 a second, until `stop`."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        deadline = time.time() + 30  # bounded, whatever happens to the run
        while not stop.is_set() and time.time() < deadline:
            s.sendall(b"PING\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                reply += s.recv(64)
            assert reply == b"+PONG\r\n", reply
            sent.append(1)
            time.sleep(0.002)


class Dom(html.parser.HTMLParser):
    """The charts of a rendered page: per svg.chart, its points by line and its bars."""

    def __init__(self):
        super().__init__()
        self.charts = []  # [{"series", "lines": {name: [circle attrs]}, "bars": [rect attrs], "texts": [...]}]
        self.chart = None
        self.line = None
        self.elements = []  # every start tag, with its attributes
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "svg" and "chart" in a.get("class", "").split():
            self.chart = {"series": a.get("data-series"), "lines": {}, "bars": [], "texts": []}
            self.charts.append(self.chart)
        elif self.chart is not None and tag == "g" and a.get("class") == "line":
            self.line = self.chart["lines"].setdefault(a.get("data-line"), [])
        elif self.chart is not None and tag == "circle":
            self.line.append(a)
        elif self.chart is not None and tag == "rect" and "data-y" in a:
            self.chart["bars"].append(a)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart = None
        elif tag == "g":
            self.line = None

    def handle_data(self, data):
        self.text.append(data)
        if self.chart is not None:
            self.chart["texts"].append(data)


def chromium(work, *args):
    """Headless Chromium on the page, with every host name unresolvable: nothing may come from elsewhere."""
    r = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={work}/chromium-profile", *args],
                       capture_output=True, text=True, timeout=90)
    if r.returncode != 0:
        raise AssertionError(f"chromium {args[0]} exited {r.returncode}: {r.stderr[-3000:]}")
    print(f"ok: chromium {args[0]} exits 0")
    return r.stdout


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def refusals():
    """--report without --run, or where no file can be made: exit 2 before bpftrace starts."""
    r = subprocess.run([EBPFGEN, "--emit", "--report", "r.html", "-e", "on syscall getpid { count }"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and r.stderr == "ebpfgen: error: --report draws what --run measures: add --run\n",
          f"--report without --run: {r.returncode} {r.stderr!r}")
    r = subprocess.run([EBPFGEN, "--run", "--report", "/proc/no-such-dir/r.html", "-e", "duration 1s on syscall getpid { count }"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and r.stderr == "ebpfgen: error: --report /proc/no-such-dir/r.html: cannot write in its "
          "directory: No such file or directory\n", f"an unwritable directory: {r.returncode} {r.stderr!r}")


def report_renders_in_chromium():
    refusals()
    work = tempfile.mkdtemp(prefix="ebpfgen-report-")
    artifacts = os.environ.get("EBPFGEN_ARTIFACTS") or work
    os.makedirs(artifacts, exist_ok=True)
    procs = []
    stop = threading.Event()
    try:
        server = os.path.join(work, HOSTILE)
        shutil.copy(shutil.which("redis-server"), server)
        port = free_port()
        redis = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(redis)
        wait_for("redis", lambda: socket.create_connection(("127.0.0.1", port), timeout=0.2).close() is None)
        with open(f"/proc/{redis.pid}/comm", "rb") as f:
            check(f.read() == HOSTILE.encode() + b"\n", "redis-server runs under the hostile name")

        spec = os.path.join(work, "report-test.obs")
        with open(spec, "w") as f:
            f.write(SPEC)
        page = os.path.join(work, "report.html")
        stream = os.path.join(work, "windows.json")
        run = subprocess.Popen([EBPFGEN, spec, "--run", "--pid", str(redis.pid), "--format", "json", "-o", stream,
                                "--report", page], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(run)
        check(run.stderr.readline().startswith("Tracing "), "ebpfgen says when tracing starts")
        sent = []
        clients = [threading.Thread(target=ping_until, args=(port, stop, sent)) for _ in range(2)]
        for c in clients:
            c.start()
        out, err = run.communicate(timeout=60)
        stop.set()
        for c in clients:
            c.join(timeout=10)
        check(run.returncode == 0, f"ebpfgen exits 0: {err}")
        lines = [json.loads(l) for l in open(stream)]
        windows = [l for l in lines if "window" in l]
        summary = lines[-1]
        check(len(windows) == 4, f"four windows of 1 s: {[round(w['seconds'], 2) for w in windows]}")
        check(summary["responses"] > 1000, f"redis answered {summary['responses']} PINGs while traced ({len(sent)} sent)")

        text = open(page, encoding="utf-8").read()
        check("http://" not in text and "https://" not in text, "the page names no address")
        shutil.copy(page, os.path.join(artifacts, "report_html.html"))

        dom = Dom()
        dom.feed(chromium(work, "--dump-dom", "file://" + page))
        series = [c["series"] for c in dom.charts]
        check(sorted(series) == sorted(list(PER_WINDOW) + HISTOGRAMS), f"one chart per series: {series}")
        charts = {c["series"]: c for c in dom.charts}
        for name, value in PER_WINDOW.items():
            expected = [value(w) for w in windows]
            got = charts[name]["lines"]
            check(set(expected[0]) <= set(got), f"{name}: its lines {sorted(got)}")
            for line in expected[0]:
                points = got[line]
                check([int(p["data-window"]) for p in points] == [w["window"] for w in windows],
                      f"{name} {line}: a point per window")
                ys = [float(p["data-y"]) for p in points]
                want = [e[line] for e in expected]
                check(all(close(a, b) for a, b in zip(ys, want)), f"{name} {line}: the stream's values {ys}")
                xs = [float(p["data-x"]) for p in points]
                check(all(a < b for a, b in zip(xs, xs[1:])) and 3.5 < xs[-1] < 4.5, f"{name} {line}: at {xs} s")
        latency_bars = sum(int(b["data-y"]) for b in charts["request_latency"]["bars"])
        check(latency_bars == summary["latency_us"]["count"] == summary["responses"],
              f"the latency histogram's bars hold every response: {latency_bars}")
        read_bars = sum(int(b["data-y"]) for b in charts["@read_bytes"]["bars"])
        # The histogram's own total, not @reads: at a window's cut bpftrace prints and clears
        # each map on its own, and a read between one map's print and its clear is lost from
        # that map alone (the generated program's comments say so).
        read_hist = sum(b["count"] for b in summary["maps"]["@read_bytes"])
        check(read_bars == read_hist > 0, f"@read_bytes's bars hold every read it counted: {read_bars} {read_hist}")
        check(SHOWN in charts["@reads_by_comm"]["texts"], "the hostile name is the legend's text")
        check(not any(tag in ("b", "script") for tag, _ in dom.elements), "and made no element of its own")
        check(not any(k in ("src", "href") for _, a in dom.elements for k in a), "nothing is loaded from elsewhere")
        body = "".join(dom.text)
        for words in ("Summary", "throughput (socket sends, paper)", "request latency", "count by comm as reads_by_comm"):
            check(words in body, f"the page says {words!r}")

        png = os.path.join(artifacts, "report_html.png")
        chromium(work, "--hide-scrollbars", f"--screenshot={png}", "--window-size=1200,2000", "file://" + page)
        with open(png, "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", "chromium took a screenshot")
        print(f"page: {os.path.join(artifacts, 'report_html.html')}")
        print(f"screenshot: {png}")
    finally:
        stop.set()
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        if artifacts != work:
            shutil.rmtree(work, ignore_errors=True)


CASES = {f.__name__: f for f in [report_renders_in_chromium]}

if __name__ == "__main__":
    need_tracing()
    need_program("chromium")
    CASES[sys.argv[2]]()
