"""Graph stores: the stored model, the ``GraphStore`` contract, its backends and exports."""

from .store import GraphStore, open_store

__all__ = ["GraphStore", "open_store"]
