#!/usr/bin/env bash
# Rebuilds assets/fonts/wqy-microhei-subset.ttf: WenQuanYi Micro Hei (Debian's fonts-wqy-microhei)
# cut to ASCII, GB2312 level-1 hanzi, CJK punctuation (the characters the subset already has) plus
# every character of src/, scenarios/ and the explorer's page (assets/explorer/) that the font has. Run it after adding Chinese text that
# `cargo test --release embedded_font` reports missing. Needs fonttools (pip) and the Debian font.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import glob
from fontTools.ttLib import TTFont
have = set(TTFont("assets/fonts/wqy-microhei-subset.ttf").getBestCmap())
src = TTFont("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", fontNumber=0).getBestCmap()
for path in (glob.glob("src/**/*.rs", recursive=True) + glob.glob("scenarios/**/*.toml", recursive=True)
             + glob.glob("assets/explorer/*.js") + glob.glob("assets/explorer/*.html")):
    have |= {ord(c) for c in open(path, encoding="utf-8").read() if ord(c) >= 0x2000}
open("target/font-chars.txt", "w", encoding="utf-8").write("".join(chr(c) for c in sorted(have) if c in src))
PY
pyftsubset /usr/share/fonts/truetype/wqy/wqy-microhei.ttc --font-number=0 \
    --text-file=target/font-chars.txt --output-file=assets/fonts/wqy-microhei-subset.ttf --no-hinting
