"""Sentences and clauses of the report body, with offsets into the loaded text.

Relations need their evidence sentence and span; patterns such as
"在X片区谋划了A、B等载体" work inside one clause.  A sentence ends at 。！？；
or a line break; a clause also ends at ，, and ：.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extract.model import Span

_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
_CLAUSE_END = re.compile(r"[，,：:]")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text`` is ``source[start:end]``; ``paragraph`` numbers the line it sits on."""

    start: int
    end: int
    text: str
    paragraph: int

    def clauses(self) -> list[Span]:
        """Clause ranges as offsets into the sentence text."""
        out: list[Span] = []
        pos = 0
        for m in _CLAUSE_END.finditer(self.text):
            if m.start() > pos:
                out.append((pos, m.start()))
            pos = m.end()
        if pos < len(self.text):
            out.append((pos, len(self.text)))
        return out


def body_ranges(text: str, body: list[Span]) -> list[Span]:
    """The ranges to mine: ``body`` when given, else the whole text."""
    if not body:
        return [(0, len(text))]
    return sorted((max(0, a), min(len(text), b)) for a, b in body if b > a)


def split_sentences(text: str, body: list[Span]) -> list[Sentence]:
    """Sentences inside the body ranges, stripped of surrounding blanks, in text order."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    out: list[Sentence] = []
    for start, end in body_ranges(text, body):
        pos = start
        for m in _SENTENCE_END.finditer(text, start, end):
            _add(out, text, pos, m.start(), newlines)
            pos = m.end()
        _add(out, text, pos, end, newlines)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int, newlines: list[int]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 2:
        return
    out.append(Sentence(start, end, text[start:end], bisect.bisect_right(newlines, start)))
