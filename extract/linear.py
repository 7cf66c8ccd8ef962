"""A multinomial logistic model over string features, stored as JSON.

Training uses scikit-learn (:mod:`extract.train`); prediction is a sparse dot
product over the handful of features a candidate has, in plain Python, so
extraction needs neither scikit-learn nor numpy at run time and a model file
is data, never code (no pickle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LinearModel:
    classes: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]

    def proba(self, features: list[str]) -> dict[str, float]:
        """Class probabilities (softmax of the summed weights of the features present).

        A feature listed twice counts once, as in training (:func:`extract.train.fit` sees a set).
        """
        w = self.weights
        rows = [row for row in map(w.get, dict.fromkeys(features)) if row is not None]
        if rows:
            scores = [b + s for b, s in zip(self.bias, map(sum, zip(*rows, strict=True)), strict=True)]
        else:
            scores = list(self.bias)
        top = max(scores)
        exps = [math.exp(x - top) for x in scores]
        total = sum(exps)
        return {cls: v / total for cls, v in zip(self.classes, exps, strict=True)}

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "bias": [round(b, 5) for b in self.bias],
            "weights": {f: [round(x, 5) for x in row] for f, row in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        return cls(
            classes=tuple(data["classes"]),
            weights={f: tuple(row) for f, row in data["weights"].items()},
            bias=tuple(data["bias"]),
        )
