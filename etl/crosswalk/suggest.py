"""Suggested matches between two plans' measures, ranked by the similarity of their texts (rapidfuzz)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils

from etl.plan.catalogue import Catalogue

# A suggestion this similar (0-100, token set ratio) is filled in as the answer, for the officer to confirm.
PREFILL_AT = 85


@dataclass(frozen=True)
class Suggestion:
    measure_id: str  # the earlier plan's measure
    text: str
    similarity: int  # 0-100


def suggest(earlier: Catalogue, later: Catalogue, count: int = 3) -> dict[str, list[Suggestion]]:
    """For each measure of the later plan, the `count` measures of the earlier plan whose texts are most alike,
    best first (ties in the earlier plan's order).

    Token set ratio compares the sets of words, so a measure reworded or extended in the later plan still matches
    the one it continues; every pair is scored in one call (process.cdist), on all cores."""
    earlier_measures = sorted(earlier.measures, key=lambda m: m.ordinal)
    later_measures = sorted(later.measures, key=lambda m: m.ordinal)
    if not earlier_measures or not later_measures:
        return {m.measure_id: [] for m in later_measures}
    scores = process.cdist(
        [m.text for m in later_measures],
        [m.text for m in earlier_measures],
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        dtype=np.uint8,
        workers=-1,
    )
    count = min(count, len(earlier_measures))
    # A stable sort on the negated scores: the best first, ties in the earlier plan's order.
    order = np.argsort(-scores.astype(np.int16), axis=1, kind="stable")[:, :count]
    return {
        measure.measure_id: [
            Suggestion(earlier_measures[j].measure_id, earlier_measures[j].text, int(scores[i, j])) for j in order[i]
        ]
        for i, measure in enumerate(later_measures)
    }
