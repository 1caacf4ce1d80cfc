// Finding a container through its runtime's command-line tool. The tool is
// always run with an argument vector, never through a shell, and the name
// has passed the container-name rule before it gets here.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace ebpfgen::target {

// A target that cannot be found: the message says which and why.
struct TargetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Container {
  std::string runtime;  // one of known_runtimes()
  std::string id;
  pid_t pid = 0;        // its first process, as the host sees it
};

// Every container runtime ebpfgen asks, in the order it asks them when the spec names none.
// The grammar's runtime names are checked against it (tests/unit/test_parse.cpp).
const std::vector<std::string>& known_runtimes();

// The argument vectors that ask `runtime` about `name` (crictl needs two
// steps: the id by name, then the pid by id; `id` fills the second).
std::vector<std::string> inspect_command(const std::string& runtime, const std::string& name);
std::vector<std::string> crictl_pid_command(const std::string& id);

// The line of a tool's error output that says what went wrong: its last one.
// Notices and log lines come first (podman-docker's "Emulate Docker CLI using
// podman ...", podman's and crictl's level=... lines), the error last.
std::string error_line(const std::string& text);

// Whether a tool's error output is the runtime's answer for a name it does not
// know: "no such container" (podman, nerdctl, docker's CLI and daemon) or "no
// such object" (docker inspect), and not an error that only happens to say
// "no such file or directory" (an unusable storage, a socket not there).
bool says_no_such_container(const std::string& err);

// Asks `runtime`, or every installed one when it is "", for a running
// container called `name`. Throws TargetError.
Container find_container(const std::string& name, const std::string& runtime,
                         std::chrono::seconds timeout = std::chrono::seconds(15));

}  // namespace ebpfgen::target
