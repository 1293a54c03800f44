"""Reading the report page back: every number on it, checked against `baton report --json`."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections import Counter
from html.parser import HTMLParser
from typing import Any

# Elements that carry a number as data; text with a digit anywhere else is a number the JSON
# does not vouch for.
_CARRIERS = ("data-metric", "data-target", "data-count")
_EXEMPT = ("data-label",)  # ledger text (a worker's name) may hold digits
_EXEMPT_TAGS = ("style", "time")
_VOID = {"meta", "link", "br", "hr", "img", "input", "wbr", "col", "area", "base", "source"}


class _Numbers(HTMLParser):
    """Collects each carrier element (its attributes and text) and any stray digit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.found: list[tuple[dict[str, str], str]] = []
        self.stray: list[str] = []
        self.headings: dict[tuple[str, str], str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        values = {name: value or "" for name, value in attrs}
        self.stack.append((tag, values))
        if any(name in values for name in _CARRIERS):
            self.found.append((values, ""))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.stack:
            return
        attrs = self.stack[-1][1]
        if any(name in attrs for name in _CARRIERS):
            self.found[-1] = (self.found[-1][0], self.found[-1][1] + data)
            return
        if "data-label" in attrs:
            parent = self.stack[-2][1] if len(self.stack) > 1 else {}
            self.headings[(parent.get("data-scope", ""), parent.get("data-key", ""))] = data
        inside = {name for _, held in self.stack for name in held}
        if re.search(r"\d", data) and not (
            inside & set(_EXEMPT) or any(held in _EXEMPT_TAGS for held, _ in self.stack)
        ):
            self.stray.append(data)


def attribute_names(page: str) -> set[str]:
    """The names of every attribute of every element on the page."""
    names: set[str] = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names.update(name for name, _ in attrs)

    Collect().feed(page)
    return names


def _scope(report: dict[str, Any], scope: str, key: str) -> dict[str, Any]:
    if scope == "overall":
        return dict(report["overall"])
    (found,) = [item for item in report[f"by_{scope}"] if item["key"] == key]
    return dict(found)


def _check_metric(attrs: dict[str, str], text: str, metric: dict[str, Any]) -> None:
    value = metric["value"]
    assert json.loads(attrs["data-value"]) == value
    assert json.loads(attrs["data-met"]) == metric["met"]
    assert int(attrs["data-numerator"]) == metric["numerator"]
    assert int(attrs["data-denominator"]) == metric["denominator"]
    counts = re.search(r"\((\d+)/(\d+)\)", text)
    if counts:  # the table's "17% (1/6)"; the chart's label is the value alone
        assert (int(counts[1]), int(counts[2])) == (metric["numerator"], metric["denominator"])
    shown = text.split(" ")[0]
    if value is None:
        assert shown == "n/a", text
    elif shown.endswith("%"):
        assert abs(float(shown.strip("%<>")) - value * 100) <= 0.5, text
    else:
        assert abs(float(shown) - value) <= 0.05, text


def _check_target(text: str, attrs: dict[str, str], metric: dict[str, Any]) -> None:
    assert json.loads(attrs["data-value"]) == metric["target"]
    assert attrs["data-comparison"] == metric["comparison"]
    shown = text.split(" ")[1]
    number = float(shown.rstrip("%")) / (100 if shown.endswith("%") else 1)
    assert abs(number - metric["target"]) < 1e-9, text


def _check_count(text: str, attrs: dict[str, str], report: dict[str, Any]) -> None:
    name, scope, key = attrs["data-count"], attrs["data-scope"], attrs["data-key"]
    if name == "runs":
        expected = report["runs"]
    elif name == "not_delegated":
        expected = report["not_delegated"][attrs["data-of"]]
    else:
        expected = _scope(report, scope, key)[name]
    assert int(text) == expected, (name, scope, key)


def check_page(page: str, report: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Assert every number on `page` equals `report`; return the scope headings as rendered."""
    parser = _Numbers()
    parser.feed(page)
    assert not parser.stray, f"numbers on the page that carry no data: {parser.stray}"
    shown: Counter[tuple[str, str, str]] = Counter()
    for attrs, text in parser.found:
        if "data-count" in attrs:
            _check_count(text, attrs, report)
            continue
        name = attrs.get("data-metric") or attrs["data-target"]
        scope, key = attrs["data-scope"], attrs["data-key"]
        metric = _scope(report, scope, key)["metrics"][name]
        if "data-target" in attrs:
            _check_target(text, attrs, metric)
        else:
            _check_metric(attrs, text, metric)
            shown[(scope, key, name)] += 1
    scopes = [("overall", "overall")] + [
        (scope, item["key"]) for scope in ("worker", "kind") for item in report[f"by_{scope}"]
    ]
    for scope, key in scopes:
        for name in _scope(report, scope, key)["metrics"]:
            assert shown[(scope, key, name)] == 2, (scope, key, name)  # table and chart
    return parser.headings


def png_pixels(png: bytes) -> tuple[int, int, Counter[bytes]]:
    """Width, height and the RGB colours of a non-interlaced 8-bit PNG, counted per pixel.

    Decoded here with zlib rather than an imaging library the project does not otherwise need.
    """
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, header, data = 8, b"", b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        body = png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0) and colour in (2, 6), (depth, colour, interlace)
    size = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(data), width * size
    previous, colours = bytearray(stride), Counter[bytes]()
    for y in range(height):
        start = y * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, size)
        colours.update(bytes(line[x : x + 3]) for x in range(0, stride, size))
        previous = line
    return width, height, colours


def _unfilter(kind: int, line: bytearray, above: bytearray, size: int) -> bytearray:
    """Undo one scanline's PNG filter (RFC 2083, 6.2-6.6)."""
    if kind == 0:
        return line
    if kind == 2:
        return bytearray((a + b) & 255 for a, b in zip(line, above, strict=True))
    for x in range(size if kind == 1 else 0, len(line)):
        left = line[x - size] if x >= size else 0
        corner = above[x - size] if x >= size else 0
        if kind == 1:
            line[x] = (line[x] + left) & 255
        elif kind == 3:
            line[x] = (line[x] + ((left + above[x]) >> 1)) & 255
        elif kind == 4:
            line[x] = (line[x] + _paeth(left, above[x], corner)) & 255
    return line


def _paeth(left: int, above: int, corner: int) -> int:
    """The neighbour nearest to left + above - corner, ties in that order."""
    guess = left + above - corner
    return min((left, above, corner), key=lambda neighbour: abs(guess - neighbour))
