"""What the page shows: validation, period filter, the cap and its note, centre lookup (real store)."""

from __future__ import annotations

from collections import Counter

import pytest

from graph.model import Fact
from graph.store import GraphStore
from viz import MAX_LIMIT, Focus, UnknownCenter, VizError, select_subgraph
from viz.focus import fact_in_period, resolve_center, split_values

CENTER = "凌智产业园"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth": 0}, "depth must be between 1 and 3"),
        ({"depth": 4}, "depth must be between 1 and 3"),
        ({"limit": 0}, "limit must be between 1 and 2000"),
        ({"limit": MAX_LIMIT + 1}, "limit must be between 1 and 2000"),
        ({"types": ["Person"]}, "unknown entity type 'Person'"),
        ({"predicates": ["OWNS"]}, "unknown predicate 'OWNS'"),
        ({"start": "2023/01"}, "start must be a date like 2023"),
        ({"end": "soon"}, "end must be a date like 2023"),
        ({"start": "2024", "end": "2023"}, "start 2024-01-01 is after end 2023-12-31"),
        ({"min_confidence": 1.5}, "min_confidence must be between 0 and 1"),
        ({"min_confidence": float("nan")}, "min_confidence must be between 0 and 1"),
    ],
)
def test_bad_focus_is_one_clear_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(VizError) as err:
        Focus(**kwargs)  # type: ignore[arg-type]
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_period_bounds_are_padded_to_whole_years_and_months() -> None:
    f = Focus(start="2023", end="2023-06")
    assert (f.start, f.end) == ("2023-01-01", "2023-06-31")
    assert Focus(start="2022-03-04").start == "2022-03-04"


def test_split_values_accepts_repeats_and_commas() -> None:
    assert split_values(["Project,Zone", " Company ", ""]) == ["Project", "Zone", "Company"]
    assert split_values(None) == []


def _fact(start: str | None, end: str | None) -> Fact:
    return Fact("f", "FUNDED_BY", "a", "b", "d", "", (0, 0), period_start=start, period_end=end)


def test_fact_in_period_overlap_and_timeless_facts() -> None:
    h1 = _fact("2023-01-01", "2023-06-30")
    assert fact_in_period(h1, "2023-06-01", None)
    assert fact_in_period(h1, None, "2023-01-01")
    assert not fact_in_period(h1, "2023-07-01", None)
    assert not fact_in_period(h1, None, "2022-12-31")
    assert fact_in_period(_fact(None, None), "2030-01-01", "2030-12-31")


def test_centre_by_name_alias_and_key(viz_store: GraphStore) -> None:
    node = resolve_center(viz_store, CENTER)
    assert node.name == CENTER
    assert node.aliases, "the real report gives 凌智产业园 aliases"
    assert resolve_center(viz_store, node.aliases[0]).key == node.key
    assert resolve_center(viz_store, node.key).key == node.key


def test_unknown_centre_suggests_near_names(viz_store: GraphStore) -> None:
    with pytest.raises(UnknownCenter) as err:
        resolve_center(viz_store, "凌智产业")
    assert CENTER in err.value.suggestions
    assert "no entity named '凌智产业'" in str(err.value)


def test_subgraph_matches_the_store_neighbourhood(viz_store: GraphStore) -> None:
    sub = select_subgraph(viz_store, Focus(center=CENTER, depth=2))
    key = resolve_center(viz_store, CENTER).key
    direct = viz_store.neighbors(key, depth=2)
    assert sub.center == key
    assert {n.key for n in sub.nodes} == {n.key for n in direct.nodes}
    assert {f.id for f in sub.edges} == {f.id for f in direct.edges}
    assert any(f.amount_text == "2.5亿元" for f in sub.edges)


def test_cap_counts_what_it_leaves_out_per_type(viz_store: GraphStore) -> None:
    full = select_subgraph(viz_store, Focus(center=CENTER, depth=3, limit=MAX_LIMIT))
    capped = select_subgraph(viz_store, Focus(center=CENTER, depth=3, limit=4))
    assert len(full.nodes) > 4
    assert len(capped.nodes) == 4
    assert capped.center in {n.key for n in capped.nodes}
    left_out = Counter(n.type for n in full.nodes if n.key not in {c.key for c in capped.nodes})
    assert {t: c for t, c in capped.omitted.items() if c} == dict(left_out)


def test_period_filter_drops_facts_outside_and_unreachable_nodes(viz_store: GraphStore) -> None:
    all_years = select_subgraph(viz_store, Focus(center=CENTER, depth=2))
    only_2022 = select_subgraph(viz_store, Focus(center=CENTER, depth=2, start="2022", end="2022"))
    assert only_2022.edges, "undated facts (LOCATED_IN) stay"
    for f in only_2022.edges:
        assert fact_in_period(f, "2022-01-01", "2022-12-31")
    dropped = {f.id for f in all_years.edges} - {f.id for f in only_2022.edges}
    assert dropped, "the 2023 专项债 fact is outside 2022"
    assert not any(f.amount_text == "2.5亿元" for f in only_2022.edges)
    kept = {n.key for n in only_2022.nodes}
    for f in only_2022.edges:
        assert f.subject in kept and f.object in kept


def test_overview_without_centre_keeps_the_best_connected(viz_store: GraphStore) -> None:
    total = viz_store.stats()
    n_total = sum(total.entities.values())
    sub = select_subgraph(viz_store, Focus(limit=10))
    assert sub.center is None
    assert len(sub.nodes) == 10
    assert sum(sub.omitted.values()) == n_total - 10
    degrees = Counter[str]()
    for f in viz_store.iter_facts():
        degrees[f.subject] += 1
        degrees[f.object] += 1
    lowest_kept = min(degrees[n.key] for n in sub.nodes)
    assert lowest_kept >= sorted(degrees.values(), reverse=True)[9]
