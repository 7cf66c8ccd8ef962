"""The interactive network page (pyvis, vis-network inlined so it works offline).

``render_network`` turns a subgraph into one HTML string; ``write_network``
selects the subgraph from a store and writes the standalone file; the served
pages live in ``viz.web`` (imported by the API app only).
"""

from .errors import UnknownCenter, VizError
from .export import PageSummary, write_network
from .focus import DEFAULT_LIMIT, MAX_LIMIT, Focus, select_subgraph
from .page import render_network

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Focus",
    "PageSummary",
    "UnknownCenter",
    "VizError",
    "render_network",
    "select_subgraph",
    "write_network",
]
