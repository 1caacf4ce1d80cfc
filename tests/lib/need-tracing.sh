# Sourced by the suites that load programs into the kernel. Without root,
# bpftrace or tracefs they skip (exit 77) on a developer's machine, and fail
# under CI=true, where every suite must run.
need_tracing() {
  local why=""
  [ "$(id -u)" -eq 0 ] || why="needs root"
  command -v bpftrace >/dev/null || why="needs bpftrace (scripts/setup installs it)"
  [ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] ||
    why="needs tracefs: mount -t tracefs tracefs /sys/kernel/tracing"
  if [ -n "$why" ]; then
    if [ "${CI:-}" = true ]; then echo "FAIL: this suite $why, and CI must run it"; exit 1; fi
    echo "SKIP: this suite $why"; exit 77
  fi
}
