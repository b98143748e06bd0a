#!/usr/bin/env python3
"""Scales the bundled CJK faces to a 250-unit (HanaMinB: 256-unit) em, for
#19's download budget; see assets/fonts/README-report-fonts.md.

A coordinate then moves by at most 1/500 em: at 22 pt (二号, the largest
report title) that is 0.016 mm, under half a 600 dpi printer dot, and on a
screen at 36 px 0.07 px. zstd packs the coarser outlines in about 40% less.

    scripts/coarsen-fonts.py assets/fonts   # rewrites the five *.zst faces

Needs fontTools and the zstd command.
"""
import os, subprocess, sys, tempfile
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

FACES = {
    "NotoSansSC-Regular.otf": 250,
    "NotoSerifSC-Regular.otf": 250,
    "NotoSerifSC-Bold.otf": 250,
    "HutongKai-Regular.ttf": 250,
    "HanaMinB.ttf": 256,
}

folder = sys.argv[1]
for name, upem in FACES.items():
    packed = os.path.join(folder, name + ".zst")
    raw = subprocess.run(["zstd", "-dc", packed], capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        open(src, "wb").write(raw)
        font = TTFont(src)
        before = font["head"].unitsPerEm
        if before != upem:
            scale_upem(font, upem)
        font.save(out)
        data = subprocess.run(["zstd", "--ultra", "-22", "-c", out],
                              capture_output=True, check=True).stdout
    open(packed, "wb").write(data)
    print(f"{name}: {before} → {upem} units per em, {len(data)} bytes")
