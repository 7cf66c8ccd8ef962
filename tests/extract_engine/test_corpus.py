"""Evidence pooled across a batch: the names one report is sure of, and builds that use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extract.corpus import known_names, needs_second_pass
from extract.model import DocInfo, Entity, Extraction
from graph.build import build
from graph.embedded import EmbeddedStore


@pytest.fixture()
def eval_docs(eval_dir: Path) -> Path:
    return eval_dir / "docs"


def _ex(*entities: Entity) -> Extraction:
    return Extraction(doc=DocInfo(id="r", path="r.txt"), entities=list(entities))


def test_only_sure_names_with_a_strong_cue_are_carried() -> None:
    got = known_names(
        [
            _ex(
                Entity("e1", "青禾精密机械有限公司", "Company", ["青禾精密"], confidence=0.95),
                Entity("e2", "远湖电子", "Company", confidence=0.99),  # no legal form, no alias
                Entity("e3", "南湖大道西延工程", "Project", confidence=0.5),  # not sure enough
                Entity("e4", "经信局", "Agency", confidence=1.0),  # agencies differ per report
            ),
            _ex(Entity("e1", "青禾精密", "Project", confidence=0.97)),  # typed two ways: left out
        ]
    )
    assert got == {"青禾精密机械有限公司": "Company"}
    assert needs_second_pass("今年青禾精密机械有限公司投产。", got)
    assert not needs_second_pass("今年远湖电子投产。", got)


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, check=False
    )


def test_extract_with_a_batch_pass_prints_every_report(eval_docs: Path) -> None:
    proc = _kg("extract", "--json", "--corpus", str(eval_docs))
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(line)["doc"]["id"] for line in proc.stdout.splitlines()]
    assert sorted(docs) == sorted(p.stem for p in eval_docs.glob("*.txt"))


def test_min_confidence_stores_only_what_the_extractor_is_sure_of(eval_docs: Path, tmp_path: Path) -> None:
    counts = []
    for floor in (0.0, 0.9):
        store = EmbeddedStore(tmp_path / f"s{floor}")
        try:
            build(store, [eval_docs], min_confidence=floor)
            stats = store.stats()
            counts.append((sum(stats.entities.values()), sum(stats.relations.values())))
        finally:
            store.close()
    (all_nodes, all_facts), (sure_nodes, sure_facts) = counts
    assert 0 < sure_nodes < all_nodes and 0 < sure_facts < all_facts


def test_a_name_the_store_is_sure_of_helps_the_next_corpus_build(tmp_path: Path) -> None:
    """Report A gives 青禾锐思 as the short name of a company; a later build of report B, which
    names it bare, finds it only when asked to use what the store knows (``corpus``)."""
    from graph.build import store_known_names

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "a.txt").write_text(
        "南湖区经信局2023年工作总结\n推动青禾锐思智能装备有限公司（以下简称“青禾锐思”）申报国家高新技术企业。\n",
        encoding="utf-8",
    )
    (b / "b.txt").write_text(
        "南湖区经信局2024年工作总结\n青禾锐思入选省级专精特新中小企业名单，获得奖励资金50万元。\n",
        encoding="utf-8",
    )

    with EmbeddedStore(tmp_path / "plain") as plain:
        build(plain, [a])
        build(plain, [b])
        bare = {n.name for n in plain.iter_nodes() if n.type == "Company"}
        b_doc = next(d.id for d in plain.iter_documents() if d.path.endswith("b.txt"))
        assert not any(b_doc in n.documents for n in plain.iter_nodes() if n.type == "Company"), bare
    with EmbeddedStore(tmp_path / "pooled") as pooled:
        build(pooled, [a])
        assert store_known_names(pooled).get("青禾锐思") == "Company"
        build(pooled, [b], corpus=True)
        b_doc = next(d.id for d in pooled.iter_documents() if d.path.endswith("b.txt"))
        linked = [n for n in pooled.iter_nodes() if n.type == "Company" and b_doc in n.documents]
        assert [n.name for n in linked] == ["青禾锐思智能装备有限公司"], linked
