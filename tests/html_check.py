#!/usr/bin/env python3
"""tests/html_check.py - checks of the pages of `explain --html` and
`inspect --html` (tests/cli_html.sh), with the standard library only.

  html_check.py explain PAGE EXPLAIN.json   page of one message
  html_check.py inspect PAGE INSPECT.json [CURVE.json]
  html_check.py png FILE                    a screenshot that is not blank

PAGE may be the file written by spamlr or chromium's --dump-dom of it.
Exits 1 with a message on the first failed check."""
import json
import struct
import sys
import zlib
from html.parser import HTMLParser

# every element the pages are made of; anything else came from the input
ALLOWED = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b",
           "span", "div", "table", "tbody", "tr", "td", "svg", "rect", "line", "text",
           "g", "polyline", "circle"}


def fail(msg):
    print("html_check.py: " + msg, file=sys.stderr)
    sys.exit(1)


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []          # (tag, attrs dict)
        self.stack = []         # ids of open elements, for text capture
        self.text = {}          # id -> text inside
        self.title = ""
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "title":
            self.in_title = True
        if tag not in ("meta", "line", "rect", "circle", "polyline"):
            self.stack.append(a.get("id"))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag not in ("meta", "line", "rect", "circle", "polyline") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_title and len(self.stack) <= 3:
            self.title += data
        for i in self.stack:
            if i:
                self.text[i] = self.text.get(i, "") + data


def parse(path):
    raw = open(path, "rb").read()
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("%s: not UTF-8: %s" % (path, e))
    p = Page()
    p.feed(s)
    p.close()
    return p, s


def safe(p, path):
    """No script, no event handler, no element or fetch from the input."""
    csp = False
    for tag, a in p.tags:
        if tag not in ALLOWED:
            fail("%s: element <%s> on the page" % (path, tag))
        for k, v in a.items():
            if k.startswith("on"):
                fail("%s: event handler %s=%r on <%s>" % (path, k, v, tag))
            if k in ("src", "href", "xlink:href", "action", "srcset"):
                fail("%s: <%s %s=%r>: the page fetches something" % (path, tag, k, v))
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            csp = "script-src" in a.get("content", "") or "default-src 'none'" in a.get("content", "")
    if not csp:
        fail("%s: no Content-Security-Policy forbidding scripts" % path)


def check_explain(path, jpath):
    p, s = parse(path)
    safe(p, path)
    ex = json.load(open(jpath))
    if "PWNED" in p.title:
        fail("%s: the title was changed by the message" % path)
    score = [a for t, a in p.tags if a.get("id") == "score"]
    if len(score) != 1:
        fail("%s: no single #score element" % path)
    bias = float(score[0]["data-bias"])
    if abs(float(score[0]["data-score"]) - ex["score"]) > 1e-9 * max(1, abs(ex["score"])):
        fail("%s: data-score %s, explain says %r" % (path, score[0]["data-score"], ex["score"]))
    toks = [a for t, a in p.tags if "tok" in a.get("class", "").split()]
    total = bias + sum(float(a["data-contribution"]) for a in toks)
    if abs(total - ex["score"]) > 1e-6 * max(1, abs(ex["score"])):
        fail("%s: bias + the %d tokens' contributions = %r, explain's score is %r"
             % (path, len(toks), total, ex["score"]))
    want = sum(1 for c in ex["contributions"] if c["contribution"] != 0)
    if want and not toks:
        fail("%s: no highlighted token" % path)
    shown = p.text.get("message", "")
    return p, shown, toks


def check_inspect(path, jpath, cpath=None):
    p, s = parse(path)
    safe(p, path)
    info = json.load(open(jpath))
    par = [a for t, a in p.tags if a.get("id") == "parameters"]
    if len(par) != 1 or int(par[0]["data-parameters"]) != info["parameters"]:
        fail("%s: parameter count %r, inspect says %d" % (path, par, info["parameters"]))
    for key, tid in (("top_spam", "top-spam"), ("top_ham", "top-ham")):
        rows = p.text.get(tid, "")
        for w in info[key]:
            if w["token"] not in rows:
                fail("%s: %s word %r not in the bars" % (path, key, w["token"]))
    if "histogram" not in [a.get("id") for t, a in p.tags]:
        fail("%s: no histogram" % path)
    if cpath:
        cu = json.load(open(cpath))
        drawn = sum(1 for q in cu["prune"] if q["parameters"] >= 1) + \
            sum(1 for q in cu["l1"] if q["nonzero"] >= 1)
        circles = sum(1 for t, a in p.tags if t == "circle")
        if circles != drawn:
            fail("%s: %d points drawn, the curve has %d" % (path, circles, drawn))
        labels = p.text.get("curve", "")
        for q in cu["prune"]:
            if q["size"] not in labels:
                fail("%s: point %r not labelled" % (path, q["size"]))


def png_pixels(path):
    """(width, height, rows of bytes, bytes per pixel) of an 8-bit PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s: not a PNG" % path)
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or interlace or ctype not in (0, 2, 4, 6):
        fail("%s: PNG kind %r not handled" % (path, hdr))
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows, bpp


def check_png(path):
    w, h, rows, bpp = png_pixels(path)
    colours, inked = set(), 0
    for r in rows[::2]:
        for x in range(0, w * bpp, bpp * 2):
            px = r[x:x + bpp]
            colours.add(px)
            if px[:3] != b"\xff\xff\xff"[:min(3, bpp)]:
                inked += 1
    total = (len(rows[::2])) * len(range(0, w * bpp, bpp * 2))
    if len(colours) < 8 or inked < total // 200:
        fail("%s: looks blank (%d colours, %d of %d sampled pixels not white)"
             % (path, len(colours), inked, total))
    red = sum(1 for c in colours if len(c) >= 3 and c[0] > 150 and c[0] - c[1] > 80 and
              c[0] - c[2] > 80)
    return len(colours), inked, total, red


def main(argv):
    if len(argv) >= 3 and argv[1] == "explain":
        p, shown, toks = check_explain(argv[2], argv[3])
        for want in argv[4:]:
            if want not in shown:
                fail("%s: the message text lacks %r" % (argv[2], want))
    elif len(argv) >= 4 and argv[1] == "inspect":
        check_inspect(argv[2], argv[3], argv[4] if len(argv) > 4 else None)
    elif len(argv) == 3 and argv[1] == "png":
        n, inked, total, red = check_png(argv[2])
        if red == 0:
            fail("%s: no spam-red pixel on the page" % argv[2])
    else:
        fail("usage: see the top of the file")


if __name__ == "__main__":
    main(sys.argv)
