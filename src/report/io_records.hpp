// Decoding `io posix`'s maps: the file records the program printed
// (@io_file, @io_reads, ...; spec/io_posix_maps.hpp) read back into
// io::Record, from which spec/io_counters.hpp computes every counter.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "report/records.hpp"
#include "report/window.hpp"
#include "spec/io_counters.hpp"

namespace ebpfgen::report {

// The records in a window's maps, ordered by process and path; `t0` is set to the run's
// start (kernel ns) when @io_t0 was printed.
std::vector<io::Record> io_records(const std::map<std::string, MapSnapshot>& maps, std::int64_t& t0);

// The processes of the records the windows printed.
std::set<std::int64_t> record_pids(const std::vector<Window>& windows);

// Processes as ranks: in the order of their first open; one process is rank 0, as in
// Darshan's non-MPI logs.
std::map<std::int64_t, int> ranks(const std::vector<io::Record>& records);

}  // namespace ebpfgen::report
