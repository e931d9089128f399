#!/usr/bin/env python3
"""check_layers.py — enforce evonion's layering (design.md §4, style.md §1, §3).

1. A file in src/<layer>/ includes only headers of its own layer or a lower one.
2. client/ and relay/ never include each other.
3. Only src/core/conn*.c calls bufferevent_* (listeners may use evconnlistener).
Prints each violation; exits 1 if there is any.  Usage: check_layers.py SRC_DIR
"""
import os
import re
import sys

ORDER = ["lib", "proto", "core", "or", "dir", "client", "relay", "app"]
RANK = {"lib": 0, "proto": 1, "core": 2, "or": 3, "dir": 4, "client": 5, "relay": 5, "app": 6}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z]+)/')
BEV_CALL = re.compile(r'\bbufferevent_[a-z_]+\s*\(')


def main(src):
    bad = []
    n_files = 0
    for layer in ORDER:
        top = os.path.join(src, layer)
        for dirpath, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, src)
                n_files += 1
                with open(path, encoding="utf-8", errors="replace") as f:
                    lines = f.readlines()
                for no, line in enumerate(lines, 1):
                    m = INCLUDE.match(line)
                    if m and m.group(1) in RANK:
                        dep = m.group(1)
                        if RANK[dep] > RANK[layer] or (
                                {dep, layer} == {"client", "relay"}):
                            bad.append(f"{rel}:{no}: {layer}/ includes {dep}/ (layers point downward)")
                    code = line.split("//")[0]
                    if BEV_CALL.search(code) and not (
                            layer == "core" and name.startswith("conn")):
                        bad.append(f"{rel}:{no}: calls bufferevent_* outside src/core/conn*")
    for b in bad:
        print(b)
    print(f"checked {n_files} files: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src"))
