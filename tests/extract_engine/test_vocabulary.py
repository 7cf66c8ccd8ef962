"""The candidate generators know the genre's heads of urban works and its money sources.

Cases are phrasings of construction and budget reports with invented names: a
name no generator proposes can never be kept by the model, whatever it learns.
"""

from __future__ import annotations

import pytest

from extract.candidates import head_spans, head_types
from extract.lexicon import load_lexicon
from extract.names import Tokens
from extract.segment import tokenize
from extract.sentences import Sentence


def _proposed(text: str) -> dict[str, set[str]]:
    sent = Sentence(0, len(text), text, 0)
    toks = Tokens(tokenize(text), load_lexicon())
    out: dict[str, set[str]] = {}
    for m in head_spans(sent, toks):
        out.setdefault(m.text, set()).add(m.type)
    return out


@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        ("启动望川路青溪大桥主体施工。", "望川路青溪大桥", "Project"),
        ("城南实验中学北校区完成主体结构封顶。", "城南实验中学北校区", "Project"),
        ("推进柳港新区综合管廊建设。", "柳港新区综合管廊", "Project"),
        ("实施高铁站站前广场及配套路网改造。", "高铁站站前广场及配套路网", "Project"),
        ("资金来源为企业自筹和银行贷款。", "企业自筹", "Funding"),
        ("资金来源为企业自筹和银行贷款。", "银行贷款", "Funding"),
        ("使用城市基础设施配套费2000万元。", "城市基础设施配套费", "Funding"),
        ("争取增发国债资金1.2亿元。", "增发国债", "Funding"),
    ],
)
def test_generators_propose_genre_heads(text: str, name: str, etype: str) -> None:
    proposed = _proposed(text)
    assert name in proposed, sorted(proposed)
    assert etype in {t for h, ts in head_types().items() if name.endswith(h) for t in ts}


@pytest.mark.parametrize("word", ["银行贷款", "企业自筹", "自筹资金", "增发国债", "城市基础设施配套费"])
def test_money_sources_are_funding_words(word: str) -> None:
    assert word in load_lexicon().funding_words
