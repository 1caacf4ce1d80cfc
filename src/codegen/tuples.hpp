// Tuples of a contract's layouts (spec/maps.hpp), written by element name:
// the order of a tuple's elements is its layout's, never the caller's.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ebpfgen::codegen {

// An element's name and its value's text, which may hold template placeholders
// ({{layout.field}}, {{@map}}): they are filled here.
using Elements = std::vector<std::pair<std::string_view, std::string>>;

// `(v0, v1, ...)` in `layout`'s order; every element must be given.
std::string tuple_of(std::string_view layout, const Elements& values);
// `MAP[KEY] = (...);` and a newline: every element of `layout` is `VAR.i`, as read before,
// unless `changed` gives its new value (written `(int64)(value)`).
std::string tuple_update(const std::string& map, const std::string& key, const std::string& var, std::string_view layout,
                         const Elements& changed);
// `(T)0, ...` for a layout: the value that types a tuple map.
std::string zero_tuple(std::string_view layout, const char* type = "(int64)");

}  // namespace ebpfgen::codegen
