"""The jieba segmenter, built by a factory on a private ``jieba.Tokenizer``.

jieba's module-level tokenizer is shared by every caller in the process, so we
never add words to it: our lexicon goes into a private instance built on first
use and cached.  Nothing happens at import time (building the prefix
dictionary costs about half a second).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

import jieba
import jieba.posseg

from extract.lexicon import load_lexicon

#: Frequency given to our lexicon words: high enough that jieba keeps them whole.
_USER_FREQ = 200000


@dataclass(frozen=True, slots=True)
class Token:
    """A segment of the text; ``start``/``end`` are offsets into the string that was cut."""

    word: str
    start: int
    end: int


@cache
def get_tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer (HMM on by default) that knows our lexicon words."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in load_lexicon().user_words():
        tokenizer.add_word(word, freq=_USER_FREQ)
    return tokenizer


@cache
def get_pos_table() -> dict[str, str]:
    """Part-of-speech tags from jieba's dictionary (``v``, ``n``, ``ns``...), for trimming names."""
    table: dict[str, str] = dict(jieba.posseg.POSTokenizer(get_tokenizer()).word_tag_tab)
    return table


def tokenize(text: str) -> list[Token]:
    """Cut ``text`` with HMM on; offsets are relative to ``text``."""
    return [Token(w, s, e) for w, s, e in get_tokenizer().tokenize(text, HMM=True)]
