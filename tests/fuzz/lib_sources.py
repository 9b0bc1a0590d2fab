#!/usr/bin/env python3
# Prints the C sources a library's meson.build compiles (the quoted '*.c' names), as paths
# relative to the top of the tree, so that tests/fuzz/meson.build compiles the same files
# with coverage instrumentation without keeping a second list by hand.
# Usage: lib_sources.py TOP lib/net lib/tcp ...
import os
import re
import sys

top = sys.argv[1]
for lib in sys.argv[2:]:
    with open(os.path.join(top, lib, 'meson.build')) as f:
        text = re.sub(r'#.*', '', f.read())
    for name in re.findall(r"'([A-Za-z0-9_./-]+\.c)'", text):
        print(os.path.join(lib, name))
