"""transfer_svg.py - the transfer curves of tests/bench/transfer.sh as one
self-contained SVG: a panel per pair of sources, (1-AUC)% against the
number N of the target's messages on log axes, for the base unchanged, a
model trained on the N alone, and the base adapted with them (--prior).

    python3 transfer_svg.py PLOT.tsv OUT.svg

PLOT.tsv: lines "pair<TAB>N<TAB>base<TAB>alone<TAB>prior" ("-" = none).
"""
import math
import sys
from xml.sax.saxutils import escape

W, H = 460, 300            # one panel
L, R, T, B = 62, 16, 46, 46  # its margins
SERIES = (("base unchanged", 2, "#888888", "6,4"),
          ("trained on the N alone", 3, "#1f77b4", ""),
          ("--prior base, adapted with the N", 4, "#d62728", ""))


def read(path):
    pairs = {}
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) != 5:
            continue
        rows = pairs.setdefault(f[0], [])
        vals = []
        for v in f[1:]:
            try:
                vals.append(float(v))
            except ValueError:
                vals.append(None)
        rows.append(vals)
    return pairs


def ticks(lo, hi):
    """1, 2, 5 times the powers of ten within [lo, hi]."""
    out = []
    for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if lo <= v <= hi:
                out.append(v)
    return out


def fmt(v):
    return ("%g" % v) if v >= 0.01 else ("%.0e" % v)


def panel(name, rows, x0, y0):
    ns = [r[0] for r in rows]
    ys = [v for r in rows for v in r[1:] if v is not None and v > 0]
    if not ns or not ys:
        return []
    xlo, xhi = min(ns) / 1.3, max(ns) * 1.3
    ylo, yhi = min(ys) / 1.6, max(ys) * 1.6
    pw, ph = W - L - R, H - T - B

    def px(n):
        return x0 + L + pw * (math.log10(n) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo))

    def py(v):
        return y0 + T + ph * (1 - (math.log10(v) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo)))

    base, _, target = name.partition(" -> ")
    out = ['<text x="%d" y="%d" font-size="12"><tspan font-weight="bold">base</tspan> %s</text>'
           % (x0 + 8, y0 + 14, escape(base[:70])),
           '<text x="%d" y="%d" font-size="12"><tspan font-weight="bold">target</tspan> %s</text>'
           % (x0 + 8, y0 + 30, escape(target[:70]))]
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>'
               % (x0 + L, y0 + T, pw, ph))
    for v in ticks(ylo, yhi):
        y = py(v)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (x0 + L, x0 + L + pw, y, y))
        out.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>' % (x0 + L - 4, y + 3, fmt(v)))
    for n in ns:
        x = px(n)
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>' % (x, x, y0 + T, y0 + T + ph))
        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%g</text>' % (x, y0 + T + ph + 14, n))
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">N messages of the target '
               '(log scale)</text>' % (x0 + L + pw // 2, y0 + H - 8))
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle" transform="rotate(-90 %d %d)">'
               '(1-AUC)%% (log scale)</text>' % (x0 + 14, y0 + T + ph // 2, x0 + 14, y0 + T + ph // 2))
    for label, col, colour, dash in SERIES:
        pts = [(px(r[0]), py(r[col - 1])) for r in rows if r[col - 1] is not None and r[col - 1] > 0]
        if not pts:
            continue
        out.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"><title>%s</title></polyline>'
                   % (colour, ' stroke-dasharray="%s"' % dash if dash else "",
                      " ".join("%.1f,%.1f" % p for p in pts), escape(label)))
        for (x, y), r in zip(pts, [r for r in rows if r[col - 1] is not None and r[col - 1] > 0]):
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s, N = %g: %g</title></circle>'
                       % (x, y, colour, escape(label), r[0], r[col - 1]))
    return out


def main():
    pairs = read(sys.argv[1])
    cols = 2
    rows_n = (len(pairs) + cols - 1) // cols
    width, height = cols * W, rows_n * H + 70
    body = []
    for i, (name, rows) in enumerate(pairs.items()):
        body += panel(name, rows, (i % cols) * W, 70 + (i // cols) * H)
    legend = []
    for k, (label, _, colour, dash) in enumerate(SERIES):
        x = 20 + k * 300
        legend.append('<line x1="%d" x2="%d" y1="52" y2="52" stroke="%s" stroke-width="2"%s/>'
                      % (x, x + 30, colour, ' stroke-dasharray="%s"' % dash if dash else ""))
        legend.append('<text x="%d" y="56" font-size="12">%s</text>' % (x + 36, escape(label)))
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="24" font-size="16" font-weight="bold">Transfer learning: a base model '
           'adapted to another source (spamlr train --prior)</text>',
           '<text x="10" y="40" font-size="11">(1-AUC)% on the target\'s test messages; lower is '
           'better; C chosen by validation everywhere</text>'] + legend + body + ['</svg>']
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
