"""The review queue's near-duplicate suggestions: close names of one type, never numbered apart."""

from __future__ import annotations

import pytest

from graph.keys import entity_key
from graph.model import Node
from graph.review import near_duplicates


def node(name: str, type: str = "Policy") -> Node:
    return Node(entity_key(type, name), type, name, [], {"d1": [(0, len(name))]})


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2022年度专精特新企业名单", "2023年度专精特新企业名单"),  # a year
        ("2023年专项债", "2023年第二批专项债"),  # a batch against none
        ("第二批重点小巨人", "第三批重点小巨人"),  # batch ordinals
        ("凌智产业园一期", "凌智产业园二期"),  # phases
        ("十三五规划纲要", "十四五规划纲要"),  # numerals that are the name
        ("宁波市纳税50强企业", "宁波市纳税100强企业"),  # a number
        ("望春1号楼项目", "望春2号楼项目"),
    ],
)
def test_names_told_apart_by_a_number_are_never_suggested(a: str, b: str) -> None:
    assert near_duplicates([node(a), node(b)]) == []
    assert near_duplicates([node(a, "Project"), node(b, "Project")]) == []


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("均胜", "均胜电子", 2), ("云羿产业园", "云羿产业园区", 1), ("金融科创中心", "金融投创中心", 1)],
)
def test_close_names_of_one_type_are_suggested(a: str, b: str, distance: int) -> None:
    ((x, y, d),) = near_duplicates([node(a, "Project"), node(b, "Project")])
    assert {x.name, y.name} == {a, b} and d == distance


def test_never_across_types_nor_far_apart() -> None:
    assert near_duplicates([node("均胜", "Company"), node("均胜电子", "Project")]) == []
    assert near_duplicates([node("均胜", "Company"), node("均胜电子股份", "Company")]) == []  # 4 edits
    assert near_duplicates([node("经发局", "Agency"), node("经信局", "Agency")]) == []  # another stem
