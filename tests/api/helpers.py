"""Small lookups the API tests share: an entity's key from its name, through the API itself."""

from __future__ import annotations

from urllib.parse import quote

import httpx


def key_of(client: httpx.Client, name: str, type: str) -> str:
    """The key of the entity called ``name`` (name or alias equal), found by searching like a user would."""
    resp = client.get("/api/entities", params={"q": name, "type": type, "limit": 50})
    assert resp.status_code == 200, resp.text
    for item in resp.json()["items"]:
        if item["name"] == name or name in item["aliases"]:
            return str(item["key"])
    raise AssertionError(f"no {type} named {name!r} in {[i['name'] for i in resp.json()['items']]}")


def enc(key: str) -> str:
    """A key as a URL path segment: Chinese and ':' percent-encoded."""
    return quote(key, safe="")
