#include <doctest/doctest.h>

#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/grammar.hpp"

TEST_CASE("the grammar has no rules that can loop without consuming input") {
  CHECK(tao::pegtl::analyze<ebpfgen::grammar::spec>(false) == 0);
}
