"""Keys, normalisation and the numbered-names rule: the identities every backend shares."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from graph.keys import entity_key, fact_id, normalize, number_tokens, numbers_conflict


def test_normalize_folds_width_quotes_space_and_case() -> None:
    assert normalize("《关于推进 工业经济高质量发展的若干政策》") == "关于推进工业经济高质量发展的若干政策"
    assert normalize("ＡＢＣ１２３　园") == "abc123园"
    assert normalize("专精特新“小巨人”") == normalize('专精特新"小巨人"') == "专精特新小巨人"


def test_entity_key_is_type_and_normalised_name() -> None:
    assert entity_key("Project", "凌智产业园") == "Project:凌智产业园"
    assert entity_key("Company", " 均胜电子 ") == "Company:均胜电子"
    assert entity_key("Company", "均胜电子") != entity_key("Project", "均胜电子")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2022年度X", "2023年度X"),
        ("第三批重点“小巨人”", "第四批重点“小巨人”"),
        ("第二批专项债", "第三批专项债"),
        ("第一批", "第二批"),
        ("凌智产业园一期", "凌智产业园二期"),
        ("十三五规划", "十四五规划"),
        ("纾困助企稳经济“六条”", "纾困助企稳经济“八条”"),
        ("宁波市纳税50强企业", "宁波市纳税100强企业"),
    ],
)
def test_numbered_names_conflict(a: str, b: str) -> None:
    assert numbers_conflict(a, b)
    assert numbers_conflict(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("均胜电子", "均胜集团"),
        ("第3批重点小巨人", "第三批重点“小巨人”"),
        ("专项债", "2023年专项债"),
        ("一带一路", "一带一路"),
        ("凌智产业园", "凌智项目"),
    ],
)
def test_other_names_do_not_conflict(a: str, b: str) -> None:
    assert not numbers_conflict(a, b)


def test_number_tokens_read_chinese_numerals() -> None:
    assert number_tokens("第二十三批") == ("23",)
    assert number_tokens("二〇二三年度") == ("2023",)
    assert number_tokens("第三批重点小巨人") == number_tokens("第3批重点小巨人")


def test_fact_id_is_stable_and_sensitive() -> None:
    a = fact_id("d1", "FUNDED_BY", "Project:a", "Funding:b", (1, 2))
    assert a == fact_id("d1", "FUNDED_BY", "Project:a", "Funding:b", (1, 2))
    assert len(a) == 16 and int(a, 16) >= 0
    assert a != fact_id("d1", "FUNDED_BY", "Project:a", "Funding:b", (1, 3))
    assert a != fact_id("d2", "FUNDED_BY", "Project:a", "Funding:b", (1, 2))


def test_normalize_is_the_scorers_norm(eval_dir: Path) -> None:
    """Keys must treat as equal exactly what the evaluation's scorer treats as equal."""
    spec = importlib.util.spec_from_file_location("eval_score", eval_dir / "score.py")
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    rnd = random.Random(3)
    pool = [chr(i) for i in range(0x09, 0x3100)] + list("“”《》「」　ＡＢ１")
    samples = ["".join(rnd.choice(pool) for _ in range(rnd.randrange(12))) for _ in range(5000)]
    for s in [*samples, "《关于推进 工业经济高质量发展的若干政策》", "ＡＢＣ　园"]:
        assert normalize(s) == score.norm(s), s
