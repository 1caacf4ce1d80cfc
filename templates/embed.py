"""Turns each template file into an entry of a C++ table (name -> text)."""
import os
import sys

out, inputs = sys.argv[1], sys.argv[2:]
DELIM = "ebpfgen_template"
lines = [
    "// Generated from templates/*.bt by templates/embed.py. Do not edit.",
    "#include \"codegen/templates.hpp\"",
    "namespace ebpfgen::templates {",
    "const std::map<std::string_view, std::string_view>& all() {",
    "  static const std::map<std::string_view, std::string_view> table = {",
]
for path in inputs:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if f"){DELIM}\"" in text:
        sys.exit(f"{path}: contains the raw-string delimiter")
    name = os.path.splitext(os.path.basename(path))[0]
    lines.append(f'    {{"{name}", R"{DELIM}({text}){DELIM}"}},')
lines += ["  };", "  return table;", "}", "}  // namespace ebpfgen::templates", ""]
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
