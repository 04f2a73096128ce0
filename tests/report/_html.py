"""Reading the report back: every element carrying a summary key, and its text."""

from __future__ import annotations

import json
from html.parser import HTMLParser


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict] = []
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict]] = []
        self._open: list[dict | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("td", "span") and "data-key" in a:
            self._open.append({"key": a["data-key"], "value": json.loads(a["data-value"]),
                               "scale": float(a["data-scale"]), "digits": int(a["data-digits"]),
                               "text": ""})
        elif tag in ("td", "span"):
            self._open.append(None)

    def handle_endtag(self, tag):
        if tag in ("td", "span") and self._open:
            c = self._open.pop()
            if c is not None:
                c["text"] = c["text"].strip()
                self.cells.append(c)

    def handle_data(self, data):
        for c in self._open:
            if c is not None:
                c["text"] += data


def parse_report(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    return p


def lookup(summary: dict, key: str):
    """The summary value at a dotted key; None when absent (the page must show "—")."""
    node = summary
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def shown(text: str, value) -> str:
    """The displayed figure without its unit (text values are compared whole)."""
    return text if isinstance(value, str) else text.split(" ")[0]


def expected_text(value, scale: float, digits: int) -> str:
    if value is None:
        return "—"
    if isinstance(value, str | bool):
        return str(value)
    if isinstance(value, int) and scale == 1.0:
        return str(value)
    return f"{value * scale:.{digits}f}"
