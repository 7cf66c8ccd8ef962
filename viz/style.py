"""How each entity type and relation looks on the page, and the legend that explains it.

Kept apart from the renderer so the colours, shapes and the money-to-width
scale can be read (and reviewed) in one place.  Colours are chosen to stay
distinct for the common colour-vision deficiencies and to keep dark label
text legible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from extract.model import ENTITY_TYPES, PREDICATE_LABELS_ZH, PREDICATES, TYPE_LABELS_ZH


@dataclass(frozen=True, slots=True)
class TypeStyle:
    type: str
    label_zh: str
    color: str
    border: str
    #: a vis-network shape whose label is drawn below it, so long Chinese names stay readable
    shape: str


TYPE_STYLES: dict[str, TypeStyle] = {
    "Project": TypeStyle("Project", TYPE_LABELS_ZH["Project"], "#4e79a7", "#2b4c70", "dot"),
    "Company": TypeStyle("Company", TYPE_LABELS_ZH["Company"], "#f28e2b", "#a85a10", "square"),
    "Policy": TypeStyle("Policy", TYPE_LABELS_ZH["Policy"], "#b07aa1", "#6e4464", "triangle"),
    "Funding": TypeStyle("Funding", TYPE_LABELS_ZH["Funding"], "#59a14f", "#2f6329", "diamond"),
    "Agency": TypeStyle("Agency", TYPE_LABELS_ZH["Agency"], "#e15759", "#8f2a2c", "hexagon"),
    "Zone": TypeStyle("Zone", TYPE_LABELS_ZH["Zone"], "#76b7b2", "#3f7773", "triangleDown"),
}

#: for a type the vocabulary does not know (a backend may add one): grey, never a crash
FALLBACK_STYLE = TypeStyle("Other", "其他", "#bab0ac", "#6b625e", "dot")

NODE_SIZE = 16
CENTER_SIZE = 26
#: longer names are shortened on the canvas; the tooltip always has the full name
LABEL_MAX_CHARS = 14

EDGE_COLOR = "#8c96a3"
EDGE_WIDTH = 1.5
#: money edges: 10万元 draws at the minimum width, 100亿元 at the maximum
AMOUNT_LOG_MIN = 5.0
AMOUNT_LOG_MAX = 10.0
AMOUNT_WIDTH_MIN = 2.0
AMOUNT_WIDTH_MAX = 9.0
MASKED_WIDTH = 2.0


def type_style(type_: str) -> TypeStyle:
    return TYPE_STYLES.get(type_, FALLBACK_STYLE)


def type_label(type_: str) -> str:
    """The bilingual name a person reads: ``企业 Company``."""
    style = TYPE_STYLES.get(type_)
    return f"{style.label_zh} {type_}" if style else type_


def predicate_label_zh(predicate: str) -> str:
    return PREDICATE_LABELS_ZH.get(predicate, predicate)


def predicate_label(predicate: str) -> str:
    zh = PREDICATE_LABELS_ZH.get(predicate)
    return f"{zh} {predicate}" if zh else predicate


def short_label(name: str, limit: int = LABEL_MAX_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def amount_width(value: float | None) -> float:
    """Edge width for an amount of money, on a log scale so 900万元 and 2.5亿元 both stay visible."""
    if value is None or value <= 0:
        return MASKED_WIDTH
    scaled = (math.log10(value) - AMOUNT_LOG_MIN) / (AMOUNT_LOG_MAX - AMOUNT_LOG_MIN)
    scaled = min(1.0, max(0.0, scaled))
    return round(AMOUNT_WIDTH_MIN + scaled * (AMOUNT_WIDTH_MAX - AMOUNT_WIDTH_MIN), 2)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    type: str
    label: str
    color: str
    border: str
    shape: str


def legend() -> list[LegendEntry]:
    """The six types in vocabulary order, each with its Chinese and English name."""
    return [
        LegendEntry(t, type_label(t), TYPE_STYLES[t].color, TYPE_STYLES[t].border, TYPE_STYLES[t].shape)
        for t in ENTITY_TYPES
    ]


def predicate_choices() -> list[tuple[str, str]]:
    return [(p, predicate_label(p)) for p in PREDICATES]


def type_choices() -> list[tuple[str, str]]:
    return [(t, type_label(t)) for t in ENTITY_TYPES]
