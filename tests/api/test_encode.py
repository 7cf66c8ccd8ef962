"""The fast JSON encoders of the busiest answers give exactly what their documented schemas describe."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from pydantic import BaseModel

from api.schemas import EntityOut, FundingOut, ListOf, SubgraphOut
from graph.queries import FundingFilter, funding
from graph.store import GraphStore
from tests.api.helpers import enc


def same_as_schema(model: type[BaseModel], encoded: Any) -> None:
    """Validating and dumping the encoded value again changes nothing: no field missing, extra or mistyped."""
    wire = orjson.loads(orjson.dumps(encoded))
    assert model.model_validate(wire).model_dump(mode="json") == wire


def test_encoders_match_their_schemas(eval_store: GraphStore) -> None:
    hubs = [h.node.key for h in eval_store.search_entities("", limit=8).items]
    for key in hubs:
        for depth in (1, 2):
            sub = eval_store.neighbors(key, depth=depth, limit=25)
            same_as_schema(SubgraphOut, SubgraphOut.encode(sub))
    hits = eval_store.search_entities("高新", limit=50).items
    assert hits
    same_as_schema(ListOf[EntityOut], {"items": [EntityOut.encode_hit(h) for h in hits], "total": len(hits)})
    report = funding(eval_store, FundingFilter())
    assert report.items and report.totals
    same_as_schema(FundingOut, FundingOut.encode(report))


def test_neighbour_nodes_count_their_reports(client: httpx.Client, eval_store: GraphStore) -> None:
    hub = eval_store.search_entities("", limit=1).items[0].node
    body = client.get(f"/api/entities/{enc(hub.key)}/neighbors", params={"depth": 1}).json()
    first = body["nodes"][0]
    assert first["key"] == hub.key and first["documents"] == len(hub.mentions) >= 1
