"""Candidate edges: clause pieces cut off, exact grammars typed (invented names, cases from SCHEMA.md)."""

from __future__ import annotations

import pytest

from extract.candidates import exact_type, quoted_titles, tidy_edges
from extract.lexicon import load_lexicon
from extract.mentions import Mention
from extract.names import Tokens
from extract.segment import tokenize
from extract.sentences import Sentence


def _tidy(text: str, span: str) -> str | None:
    sent = Sentence(0, len(text), text, 0)
    start = text.index(span)
    m = Mention(start, start + len(span), "Zone", span, "span")
    got = tidy_edges(m, sent, Tokens(tokenize(text), load_lexicon()))
    return None if got is None else got.text


@pytest.mark.parametrize(
    ("text", "span", "want"),
    [
        ("资金由区财政统筹安排", "由区", None),
        ("积极对青禾高新区给予支持", "对青禾高新区", "青禾高新区"),
        ("项目由青溪城投集团负责", "由青溪城投集团", "青溪城投集团"),
        ("（以下简称“青禾城投”）和青禾区共同出资", "城投”）和青禾区", "青禾区"),
        (
            "由青禾置业有限公司（青溪城投集团全资子公司）承建",
            "青禾置业有限公司（青溪城投集团全资子公司",
            "青禾置业有限公司",
        ),
        ("建设青禾对外劳务合作服务平台", "青禾对外劳务合作服务平台", "青禾对外劳务合作服务平台"),
    ],
)
def test_a_candidate_loses_the_clause_piece_before_its_name(text: str, span: str, want: str | None) -> None:
    assert _tidy(text, span) == want


def test_a_long_quoted_title_before_xiangmu_is_a_project_and_a_slogan_is_not() -> None:
    text = "青禾精工“高效微型电机驱动控制研究”项目获立项，全部纳入“两个一批”项目。"
    got = quoted_titles(Sentence(0, len(text), text, 0))
    assert [m.text for m in got] == ["“高效微型电机驱动控制研究”项目"]
    assert got[0].type == "Project"


def test_a_bank_branch_is_a_company_by_its_grammar() -> None:
    text = "争取青禾农商银行城东支行贷款"
    toks = Tokens(tokenize(text), load_lexicon())
    name = "青禾农商银行城东支行"
    start = text.index(name)
    assert exact_type(None, name, toks, start) == "Company"
    assert exact_type(None, "城东支行", toks, text.index("城东支行")) is None
