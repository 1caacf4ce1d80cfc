#include <doctest/doctest.h>

#include "diag/suggest.hpp"

using ebpfgen::closest_match;
using ebpfgen::did_you_mean;

TEST_CASE("closest_match finds one-edit typos and transpositions") {
  std::vector<std::string> words = {"recvfrom", "sendto", "read", "write"};
  CHECK(closest_match("recvfom", words) == "recvfrom");
  CHECK(closest_match("sendot", words) == "sendto");
  CHECK(closest_match("wrte", words) == "write");
}

TEST_CASE("closest_match rejects words that are not near anything") {
  CHECK_FALSE(closest_match("epoll", {"read", "write"}).has_value());
  CHECK_FALSE(closest_match("x", {"abc"}).has_value());
}

TEST_CASE("did_you_mean phrases the suggestion or says nothing") {
  CHECK(did_you_mean("cout", {"count", "sum"}) == "; did you mean 'count'?");
  CHECK(did_you_mean("zzzzzz", {"count", "sum"}) == "");
}
