#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>

#include "kernel/facts.hpp"
#include "target/container.hpp"
#include "target/process.hpp"
#include "target/resolve.hpp"

using namespace ebpfgen;
using namespace ebpfgen::target;

namespace {

const kernel::Facts machine = kernel::read_facts();

std::string error_of(const ast::Target& t) {
  try {
    resolve_target(t, machine);
  } catch (const TargetError& e) {
    return e.what();
  }
  return "";
}

ast::Target make(ast::TargetKind kind, std::string value) {
  ast::Target t;
  t.kind = kind;
  t.value = std::move(value);
  return t;
}

}  // namespace

TEST_CASE("runtimes are asked with one argument vector, the name one argument") {
  CHECK(inspect_command("docker", "web.1") ==
        std::vector<std::string>{"container", "inspect", "--format", "{{.State.Pid}} {{.State.Running}} {{.Id}}", "web.1"});
  CHECK(inspect_command("podman", "db") == inspect_command("docker", "db"));
  // crictl matches names as regular expressions: anchored, dots escaped.
  CHECK(inspect_command("crictl", "web.1") ==
        std::vector<std::string>{"ps", "--quiet", "--state", "running", "--name", "^web\\.1$"});
  CHECK(crictl_pid_command("3f2a") ==
        std::vector<std::string>{"inspect", "--output", "go-template", "--template", "{{.info.pid}}", "3f2a"});
}

TEST_CASE("runtimes' error output, as podman, podman-docker and docker print it") {
  // podman-docker's notice comes first; podman's log lines before its error.
  const std::string missing =
      "Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.\n"
      "Error: inspecting object: no such container web\n";
  CHECK(error_line(missing) == "Error: inspecting object: no such container web");
  CHECK(says_no_such_container(missing));
  CHECK(error_line("time=\"2026-12-02T04:55:13Z\" level=error msg=\"Failed to GetDriver graph zfs\"\n"
                   "Error: failed to GetDriver graph zfs /var/lib/containers/storage: driver not supported\n") ==
        "Error: failed to GetDriver graph zfs /var/lib/containers/storage: driver not supported");
  CHECK(says_no_such_container("Error response from daemon: No such container: web\n"));
  CHECK(says_no_such_container("Error: No such object: web\n"));
  CHECK(says_no_such_container("Error response from daemon: no container with name or ID \"web\" found: no such "
                               "container\n"));
  // Errors that say "no such file or directory" are the runtime failing, not the name missing.
  CHECK_FALSE(says_no_such_container("Error: creating runtime static files directory: mkdir "
                                     "/proc/storage: no such file or directory\n"));
  CHECK_FALSE(says_no_such_container("Error: unable to connect to Podman socket: Get \"http://d/v4.3.1/libpod/_ping\": "
                                     "dial unix /run/podman/podman.sock: connect: no such file or directory\n"));
  CHECK_FALSE(says_no_such_container("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the "
                                     "docker daemon running?\n"));
  CHECK(error_line("") == "(it said nothing)");
  CHECK(error_line("\n  \n") == "(it said nothing)");
}

TEST_CASE("a runtime that is not installed is named") {
  CHECK_THROWS_WITH_AS(find_container("web", "nerdctl-not-here"),
                       "container runtime 'nerdctl-not-here' is not installed (not found on PATH)", TargetError);
}

TEST_CASE("cgroup paths: under /sys/fs/cgroup as given, others under the cgroup v2 mount") {
  CHECK(cgroup_directory("/sys/fs/cgroup/unified/a", machine.cgroup2) == "/sys/fs/cgroup/unified/a");
  CHECK(cgroup_directory("system.slice/nginx.service", machine.cgroup2) == machine.cgroup2 + "/system.slice/nginx.service");
  CHECK(cgroup_directory("/system.slice/docker-1.scope", machine.cgroup2) == machine.cgroup2 + "/system.slice/docker-1.scope");
  CHECK(cgroup_directory("/", machine.cgroup2) == machine.cgroup2);
}

TEST_CASE("targets that cannot be found say why") {
  CHECK(error_of(make(ast::TargetKind::Pid, "999999")) == "no process 999999: it has ended, or never was");
  CHECK(error_of(make(ast::TargetKind::Cgroup, "no/such")) ==
        "cgroup 'no/such' does not exist: no directory " + machine.cgroup2 + "/no/such");
}

TEST_CASE("a process resolves to itself, and is watched") {
  auto r = resolve_target(make(ast::TargetKind::Pid, std::to_string(::getpid())), machine);
  CHECK(r.watched == ::getpid());
  CHECK(r.watched_name == "process " + std::to_string(::getpid()));
  CHECK(r.facts.at(0).starts_with("process " + std::to_string(::getpid()) + " (unit_tests), "));
  CHECK_FALSE(r.parameter.has_value());
}

TEST_CASE("/proc facts about this process") {
  CHECK(process_exists(::getpid()));
  CHECK_FALSE(process_exists(999999));
  CHECK(process_comm(::getpid()) == "unit_tests");
  CHECK(namespace_inode(::getpid(), "mnt") == namespace_inode(::getppid(), "mnt"));
  CHECK_FALSE(namespace_inode(999999, "mnt").has_value());
  auto named = processes_named("unit_tests");
  CHECK(std::find(named.begin(), named.end(), ::getpid()) != named.end());
}

TEST_CASE("a comm target by prefix finds the processes whose name starts with it") {
  auto from = processes_named_from("unit_te");
  CHECK(std::find(from.begin(), from.end(), ::getpid()) != from.end());
  CHECK(processes_named_from("unit_tests_but_longer").empty());
  ast::Target t = make(ast::TargetKind::Comm, "unit_te");
  t.prefix = true;
  auto r = resolve_target(t, machine);
  CHECK(r.facts.at(0).starts_with("processes whose name starts with 'unit_te' running now: "));
  CHECK(r.facts.at(0).find(std::to_string(::getpid()) + " unit_tests") != std::string::npos);
}
