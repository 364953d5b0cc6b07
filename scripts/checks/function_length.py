#!/usr/bin/env python3
"""No function in Sources is longer than 60 lines (issue #16): prints the longest five and fails when
one exceeds the limit. A function's length counts from its `func`/`init` line to its closing brace.
Usage: function_length.py [root] [--limit N]"""

from __future__ import annotations

import os
import re
import sys

DECL = re.compile(r"(?<![.\w])(func\s+[^\s(<]+|init[?!]?\s*[(<]|deinit\b|(?:get|set)\s*\{)")


def code_only(text: str) -> str:
    """The text with comments and string contents blanked (newlines kept), so braces can be counted."""
    out: list[str] = []
    i, n = 0, len(text)
    stack: list[str] = []  # "code", or a string delimiter ('"' or '"""'); interpolation pushes "code"
    parens: list[int] = []
    mode = "code"
    while i < n:
        c = text[i]
        if mode == "code":
            if text.startswith("//", i):
                j = text.find("\n", i)
                j = n if j < 0 else j
                out.append(" " * (j - i))
                i = j
                continue
            if text.startswith("/*", i):
                j = text.find("*/", i + 2)
                j = n if j < 0 else j + 2
                out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
                i = j
                continue
            if c == '"':
                delim = '"""' if text.startswith('"""', i) else '"'
                out.append(" " * len(delim))
                i += len(delim)
                stack.append(mode)
                mode = delim
                continue
            if stack and parens:
                if c == "(":
                    parens[-1] += 1
                elif c == ")":
                    parens[-1] -= 1
                    if parens[-1] == 0:
                        parens.pop()
                        mode = stack.pop()
                        out.append(" ")
                        i += 1
                        continue
            out.append(c)
            i += 1
            continue
        # inside a string
        if c == "\\" and i + 1 < n:
            if text[i + 1] == "(":
                out.append("  ")
                i += 2
                stack.append(mode)
                mode = "code"
                parens.append(1)
                continue
            out.append("  ")
            i += 2
            continue
        if text.startswith(mode, i):
            out.append(" " * len(mode))
            i += len(mode)
            mode = stack.pop()
            continue
        out.append("\n" if c == "\n" else " ")
        i += 1
    return "".join(out)


def functions(path: str) -> list[tuple[int, str, int]]:
    """(length in lines, name, first line) of every function body in the file."""
    with open(path, encoding="utf-8") as f:
        text = code_only(f.read())
    result = []
    for match in DECL.finditer(text):
        start = match.start()
        brace = text.find("{", match.end() - 1)
        if brace < 0:
            continue
        # a protocol requirement has no body: the next `{` belongs to something else
        between = text[match.end():brace]
        if "\n}" in between or re.search(r"\n\s*(func|var|let|case|init)\b", between):
            continue
        depth, j = 0, brace
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        first = text.count("\n", 0, start) + 1
        last = text.count("\n", 0, j) + 1
        result.append((last - first + 1, match.group(1).strip(), first))
    return result


def options(argv: list[str]) -> tuple[list[str], int]:
    args, limit = [], 60
    i = 0
    while i < len(argv):
        if argv[i] == "--limit":
            limit, i = int(argv[i + 1]), i + 2
        else:
            args.append(argv[i])
            i += 1
    return args, limit


def main() -> int:
    args, limit = options(sys.argv[1:])
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources")
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".swift"):
                path = os.path.join(folder, name)
                found += [(length, f"{os.path.relpath(path, os.path.dirname(root))}:{line} {decl}")
                          for length, decl, line in functions(path)]
    found.sort(reverse=True)
    print(f"Longest functions in {os.path.relpath(root)} (limit {limit} lines):")
    for length, where in found[:5]:
        print(f"  {length:4d}  {where}")
    over = [f for f in found if f[0] > limit]
    if over:
        print(f"{len(over)} function(s) exceed {limit} lines.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
