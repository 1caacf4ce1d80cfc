#!/usr/bin/env python3
"""The shape of src/: small files and functions, and every fact in its table.

- no file in src/ has more than 400 lines, and no function (as universal-ctags
  finds them) more than 80;
- no map of a program family's contract is named outside its table: not as
  `@name` or "name" in src/, nor as a bare `@name` in templates/ (which write
  `{{@name}}`, checked when they are filled);
- no tuple element is written by its position: no `$t.3` in templates/ or
  codegen/, no `v[4]` in report/ (they go through the layouts' names);
- the limits and exit statuses are written once: no 4096-key default, string
  length, comm limit or exit number as a literal outside spec/limits.hpp and
  diag/exit_status.*.

Usage: check.py SOURCE_ROOT. Prints each finding; exits 1 when there is one.
"""
import os
import re
import subprocess
import sys

root = sys.argv[1]
src = os.path.join(root, "src")
templates = os.path.join(root, "templates")
findings = []


def files(top, endings):
    for d, _, names in os.walk(top):
        for n in sorted(names):
            if n.endswith(endings):
                yield os.path.join(d, n)


def rel(path):
    return os.path.relpath(path, root)


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


# Small files and functions.
for path in files(src, (".cpp", ".hpp", ".inc")):
    n = len(lines_of(path)) - 1
    if n > 400:
        findings.append(f"{rel(path)}: {n} lines (at most 400)")
ctags = subprocess.run(["ctags", "--fields=+ne", "--kinds-C++=f", "-x", "--_xformat=%N %F %n %e", "-R", src],
                       capture_output=True, text=True, check=True)
for row in ctags.stdout.splitlines():
    name, path, start, end = row.rsplit(" ", 3)
    if end.isdigit() and int(end) - int(start) + 1 > 80:
        findings.append(f"{rel(path)}:{start}: {name} has {int(end) - int(start) + 1} lines (at most 80)")

# The contracts' map names, read from their tables.
tables = {
    "src/spec/request_metrics.hpp": r"^\s*X\((\w+), \w+,",
    "src/spec/io_posix_maps.hpp": r"^\s*X\((\w+), \w+,",
    "src/spec/maps.hpp": r'inline constexpr std::string_view \w+ = "(\w+)";',
}
names = set()
for table, pattern in tables.items():
    for line in lines_of(os.path.join(root, table)):
        m = re.search(pattern, line)
        if m:
            names.add(m.group(1))
if len(names) < 30:
    findings.append(f"only {len(names)} contract maps were read from the tables: the test no longer reads them")
# A metric's name may equal its map's ("responses"): quoted, it is the metric's (a JSON key).
metrics = set(re.findall(r'\{Metric::\w+, "(\w+)"', open(os.path.join(root, "src/spec/request_metrics.cpp")).read()))
named = re.compile(r'(@\b|"@?)(' + "|".join(sorted(names, key=len, reverse=True)) + r')\b"?')
for path in files(src, (".cpp", ".hpp")):
    if rel(path) in tables:
        continue
    for i, line in enumerate(lines_of(path), 1):
        code = line.split("//")[0]
        for m in named.finditer(code):
            if m.group(1) == '"' and m.group(2) in metrics:
                continue
            findings.append(f"{rel(path)}:{i}: map {m.group(2)} named outside its contract: {line.strip()}")
bare = re.compile(r"(?<!\{\{)@(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")
for path in files(templates, (".bt",)):
    for i, line in enumerate(lines_of(path), 1):
        for m in bare.finditer(line):
            findings.append(f"{rel(path)}:{i}: map {m.group(1)} written as @{m.group(1)}, not {{{{@{m.group(1)}}}}}")

# Tuple elements by position.
position = re.compile(r"\$[a-z]\w*\.[0-9]")
for path in list(files(templates, (".bt",))) + list(files(os.path.join(src, "codegen"), (".cpp",))):
    for i, line in enumerate(lines_of(path), 1):
        if position.search(line.split("//")[0]):
            findings.append(f"{rel(path)}:{i}: a tuple element by its position: {line.strip()}")
for path in files(os.path.join(src, "report"), (".cpp",)):
    for i, line in enumerate(lines_of(path), 1):
        if re.search(r"\bv\[[0-9]\]", line):
            findings.append(f"{rel(path)}:{i}: a tuple element by its position: {line.strip()}")

# Limits and exit statuses, written once.
literal_rules = [
    (r"value_or\(4096\)|\b4096 keys\b|default is 4096", "the default key limit (spec/limits.hpp)"),
    (r"STRLEN is 64|\b63 bytes\b", "bpftrace's string length (spec/limits.hpp)"),
    (r"size\(\) > 15\b|at most 15 characters|1 to 15 printable", "the comm length (spec/limits.hpp)"),
    (r"\breturn [1-9][0-9]?;", "an exit status (diag/exit_status.hpp)"),
]
# Where an exit status is returned: the command line, the driver and the run.
status_files = ("src/main.cpp", "src/pipeline/", "src/run/")
for path in files(src, (".cpp", ".hpp")):
    if rel(path) in ("src/spec/limits.hpp", "src/diag/exit_status.hpp", "src/diag/exit_status.cpp"):
        continue
    for i, line in enumerate(lines_of(path), 1):
        code = line.split("//")[0]
        for pattern, what in literal_rules:
            if what.startswith("an exit status") and not rel(path).startswith(status_files):
                continue
            if re.search(pattern, code):
                findings.append(f"{rel(path)}:{i}: {what} written again: {line.strip()}")

for f in findings:
    print(f)
print(f"structure: {len(findings)} finding{'s' if len(findings) != 1 else ''}")
sys.exit(1 if findings else 0)
