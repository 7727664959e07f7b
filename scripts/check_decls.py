#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check_decls.py - every function is declared in its own file's header.

For each src/DIR/X.c that has a header src/DIR/X.h, every function X.c
defines without `static` must be declared in X.h (or, for the few files
that implement an interface whose header has another name, in the header
listed below).  Prints one line per miss; exit 1 when there is one.
Run from the top of the tree: python3 scripts/check_decls.py
"""
import os
import re
import sys

# X.c -> the header that declares its functions, when not X.h
HEADER_OF = {
    'src/codec/enc.c': ['src/codec/encoder.h', 'src/codec/enc_priv.h'],
    'src/proto/sinks.c': ['src/proto/sink.h'],
    'src/ipc/inputs.c': ['src/ipc/input.h'],
    'src/config/cli.c': ['src/config/opts.h'],
}
# a function definition: type and name at column 0, body on a later line
DEF = re.compile(r'^(?!static\b)(?!typedef\b)(?:[A-Za-z_][\w \t\*]*?[\s\*])(\w+)\s*\(([^;{]*?)\)\s*\n\{',
                 re.M)

def main():
    bad = 0
    for d, _, files in os.walk('src'):
        for f in sorted(files):
            if not f.endswith('.c'):
                continue
            c = os.path.join(d, f)
            hs = HEADER_OF.get(c, [c[:-2] + '.h'])
            hs = [h for h in hs if os.path.exists(h)]
            text = open(c).read()
            if not hs:
                # a program exports only main(); anything else needs a header
                for m in DEF.finditer(text):
                    if m.group(1) != 'main':
                        print('%s: %s() is defined but %s has no header' % (c, m.group(1), c))
                        bad += 1
                continue
            decl = re.sub(r'/\*.*?\*/|//[^\n]*', '', ''.join(open(h).read() for h in hs),
                          flags=re.S)
            for m in DEF.finditer(text):
                name = m.group(1)
                if name == 'main':
                    continue
                if not re.search(r'\b%s\s*\(' % re.escape(name), decl):
                    print('%s: %s() is not declared in %s' % (c, name, ' or '.join(hs)))
                    bad += 1
    print('check_decls: %d undeclared' % bad)
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
