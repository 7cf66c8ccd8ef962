"""The trained model of the extractor: which candidate spans are entities, which pairs are relations.

The model file (``extract/data/model.json``) is built by ``kg train`` from the
annotated reports in the repository (:mod:`extract.train`) and loaded once per
process.  Its ``feature_version`` must equal :data:`FEATURE_VERSION`: a model
trained on other features would weigh the wrong things, so a mismatch is an
error that says to retrain, never a silent fallback to the rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from extract.errors import ExtractError
from extract.linear import LinearModel

#: Bump when a feature function changes meaning; the shipped model must be retrained then.
FEATURE_VERSION = 3
MODEL_FILE = "model.json"
NONE = "NONE"


class ModelError(ExtractError, RuntimeError):
    """The model file is missing, unreadable or was trained for other features."""


@dataclass(frozen=True, slots=True)
class Model:
    """Both decisions; either may be absent (``None``: that stage keeps the rules' answer)."""

    mentions: LinearModel | None = None
    relations: LinearModel | None = None
    mention_threshold: float = 0.5
    relation_threshold: float = 0.5
    #: the least probability an entity needs when no kept relation has it as an end; spans
    #: between ``mention_threshold`` and this stay only as ends of relations (None: no band)
    entity_threshold: float | None = None
    #: what it was trained on (report stems), for ``kg train`` output and the README
    trained_on: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def rules_only(cls) -> Model:
        return cls()

    def to_json(self) -> dict[str, Any]:
        return {
            "feature_version": FEATURE_VERSION,
            "mention_threshold": self.mention_threshold,
            "relation_threshold": self.relation_threshold,
            "entity_threshold": self.entity_threshold,
            "trained_on": list(self.trained_on),
            "meta": self.meta,
            "mentions": self.mentions.to_json() if self.mentions else None,
            "relations": self.relations.to_json() if self.relations else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str = MODEL_FILE) -> Model:
        version = data.get("feature_version")
        if version != FEATURE_VERSION:
            raise ModelError(
                f"{source}: trained for feature version {version}, the code has {FEATURE_VERSION}; "
                "rebuild it with `kg train`"
            )
        return cls(
            mentions=LinearModel.from_json(data["mentions"]) if data.get("mentions") else None,
            relations=LinearModel.from_json(data["relations"]) if data.get("relations") else None,
            mention_threshold=float(data.get("mention_threshold", 0.5)),
            relation_threshold=float(data.get("relation_threshold", 0.5)),
            entity_threshold=_optional_float(data.get("entity_threshold")),
            trained_on=tuple(data.get("trained_on", ())),
            meta=dict(data.get("meta", {})),
        )

    def dumps(self) -> str:
        """The model file's bytes: sorted keys and fixed rounding, so one training gives one file."""
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def shipped_model_path() -> Path:
    return Path(str(resources.files("extract").joinpath("data", MODEL_FILE)))


def read_model(path: str | Path) -> Model:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"{path}: cannot read the extraction model ({exc}); rebuild it with `kg train`"
        ) from exc
    return Model.from_json(data, str(path))


@cache
def load_model() -> Model:
    """The shipped model, read once per process."""
    return read_model(shipped_model_path())
