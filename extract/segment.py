"""The jieba segmenter, built by a factory on a private ``jieba.Tokenizer``.

jieba's module-level tokenizer is shared by every caller in the process, so we
never add words to it: our lexicon goes into a private instance built on first
use and cached.  Nothing happens at import time (building the prefix
dictionary costs about half a second).

jieba caches its prefix dictionary in the shared temporary folder by default
(``/tmp/jieba.cache``): a file another user put there is loaded, and one
another user owns makes every run print a traceback.  Our tokenizer keeps its
cache in the user's own cache folder (``$XDG_CACHE_HOME/policy-kg``, created
0700) and, when that folder cannot be used, builds the dictionary in memory.
Cache failures are never printed: the cache only saves time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jieba
import jieba.posseg
import platformdirs

from extract.lexicon import load_lexicon

#: Frequency given to our lexicon words: high enough that jieba keeps them whole.
_USER_FREQ = 200000


@dataclass(frozen=True, slots=True)
class Token:
    """A segment of the text; ``start``/``end`` are offsets into the string that was cut."""

    word: str
    start: int
    end: int


def cache_dir() -> Path | None:
    """This user's private cache folder, created 0700; ``None`` when it cannot be made or is not private.

    A folder owned by someone else, or one others can write to, could hold a
    planted cache, so it is not used.
    """
    folder = Path(platformdirs.user_cache_dir("policy-kg", appauthor=False))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        return None
    if st.st_mode & 0o077:
        try:
            folder.chmod(0o700)
        except OSError:
            return None
    return folder


@contextlib.contextmanager
def _jieba_silent() -> Iterator[None]:
    """jieba logs a failed cache write with a traceback (``Dump cache file failed.``): keep it quiet."""
    logger = logging.getLogger("jieba")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _initialize(tokenizer: jieba.Tokenizer) -> None:
    """Load the prefix dictionary, from (and into) our private cache when there is one."""
    folder = cache_dir()
    with _jieba_silent():
        if folder is not None:
            tokenizer.tmp_dir = str(folder)
            tokenizer.initialize()
        else:
            # No private folder: build in memory and write no cache at all (jieba would use /tmp).
            tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
            tokenizer.initialized = True


@cache
def get_tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer (HMM on by default) that knows our lexicon words."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    _initialize(tokenizer)
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
