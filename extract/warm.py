"""Imported once by the fork server of a pooled batch (extract.batch): the extractor made ready to fork.

Every lazy table of the extractor (the jieba dictionary and its part-of-speech
table, the lexicon, the model, compiled patterns) is built on first use, about
a second of CPU.  Extracting one short text here, in the fork server, builds
them once; each worker is forked with them already in memory instead of
building its own copy.  Freezing afterwards keeps those objects out of the
workers' garbage collections (which would also copy their pages).
Importing this module anywhere else only costs that second.  A failure here
(say, an unreadable model) is left for the workers to meet and report per
file: an exception escaping a preload would take the fork server down.
"""

from __future__ import annotations

import contextlib
import gc

from .pipeline import extract_text

#: A few sentences of the genre, enough to reach every stage (names, lists, amounts, periods).
WARM_UP_TEXT = (
    "2023年上半年，经发局积极做好经济增长、项目推进、企业服务等重点工作。\n"
    "一、主要工作开展情况\n"
    "一是加强项目推进。宁波甬江智能装备有限公司入选2023年度第三批专精特新中小企业名单，"
    "甬江科创园项目成功申报专项债1.2亿元，梅墟新材料股份投资5000万元建设智造基地。\n"
)

# Only a head start: on failure a worker meets the same problem and reports it per file.
with contextlib.suppress(Exception):
    extract_text(WARM_UP_TEXT, "warm-up.txt")
gc.freeze()
