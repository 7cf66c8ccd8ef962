"""The readable text of a saved web page, with the stdlib ``html.parser``.

Reports are often saved straight from a portal or forum.  What a reader sees
is kept: block elements become line breaks, entities are unescaped, runs of
HTML whitespace collapse to one space.  What a reader skips is dropped:
scripts, styles, navigation, page header/footer, sidebars, forms and the
``<head>``.  The result is the text that offsets of an HTML report point into
(the markup itself is never addressed).
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

#: Elements whose whole content is not part of the page's readable text.
SKIPPED = frozenset(
    {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "head", "template", "svg",
     "iframe", "object", "button", "select", "textarea", "menu"}
)  # fmt: skip

#: Elements that start and end a line of their own.
BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "tbody", "thead", "tfoot",
     "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main", "blockquote", "pre", "hr",
     "figure", "figcaption", "address", "center", "caption", "body", "html", "title"}
)  # fmt: skip

#: Cells sit side by side on one line.
CELLS = frozenset({"td", "th"})

#: Void elements never get an end tag, so they must not open a skipped region.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
     "wbr"}
)  # fmt: skip

#: A tag of a common HTML element, opening or closing (``<p>``, ``</div>``, ``<br/>``, ``<td class=x>``).
_TAG = re.compile(
    r"</?(?:p|div|br|span|a|b|i|u|strong|em|font|li|ul|ol|table|tr|td|th|tbody|h[1-6]|img|meta|html|body"
    r"|head|title|script|style|section|article|center|hr)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_DOCTYPE = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
#: Tags needed before plain text counts as markup; one stray ``<b>`` in a report is not a web page.
MARKUP_TAGS = 3
#: Only the start of a file is looked at: a saved page shows its tags early.
_SNIFF_CHARS = 65536


def looks_like_html(text: str) -> bool:
    """Whether text saved under a plain-text name is really a web page (a doctype, or a few HTML tags).

    >>> looks_like_html("经济发展局</p><p>公开方式</p>")
    True
    >>> looks_like_html("增长<5%，投资>3亿元")
    False
    """
    head = text[:_SNIFF_CHARS]
    if _DOCTYPE.match(head):
        return True
    return sum(1 for _ in itertools.islice(_TAG.finditer(head), MARKUP_TAGS)) >= MARKUP_TAGS


_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def declared_charset(head: bytes) -> str | None:
    """The ``<meta charset>`` a page declares in its first bytes, if any."""
    match = _CHARSET.search(head[:4096])
    return match.group(1).decode("ascii").lower() if match else None


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_stack: list[str] = []
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            # Pages that never close <head> (or a stray skipped element) must not swallow the body.
            self.skip_stack.clear()
        if self.skip_stack:
            if tag == self.skip_stack[-1] and tag not in VOID:
                self.skip_stack.append(tag)
            return
        if tag in SKIPPED and tag not in VOID:
            self.skip_stack.append(tag)
            return
        if tag == "pre":
            self.pre_depth += 1
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skip_stack and tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_stack:
            if tag == self.skip_stack[-1]:
                self.skip_stack.pop()
            return
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        if tag in BLOCKS:
            self.parts.append("\n")
        elif tag in CELLS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.skip_stack:
            return
        if self.pre_depth:
            self.parts.append(data)
        else:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(markup: str) -> str:
    """Readable text of ``markup``: one line per block, no blank-line runs, no leading/trailing spaces."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    raw = "".join(collector.parts)
    lines = [line.strip() for line in raw.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""
