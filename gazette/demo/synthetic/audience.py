"""How much readers care about each generated article.

One skewed popularity per article drives both its hourly views and its comments, so the most
read articles are also the most discussed: most articles are read a little, a few a lot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Views an article has in its first hour: log-normal, median e^3 = 20, one article in a
# thousand above about 1,500.
PEAK_LOG_MEAN = 3.0
PEAK_LOG_SIGMA = 1.4


@dataclass
class Articles:
    """The articles one generator run added, in publication order (numpy arrays)."""

    ids: np.ndarray  # int64 page ids
    published: np.ndarray  # float64 Unix timestamps
    sections: np.ndarray  # int64 index into text.SECTIONS
    peak_views: np.ndarray  # float64 views per hour when just published

    def __len__(self) -> int:
        return len(self.ids)


def numpy_rng(seed: int, stream: int) -> np.random.Generator:
    """An independent, reproducible stream per stage: adding a stage changes no other's data."""
    return np.random.default_rng([seed, stream])


def with_popularity(
    ids: list[int], published: list[float], sections: list[int], rng: np.random.Generator
) -> Articles:
    return Articles(
        ids=np.asarray(ids, dtype=np.int64),
        published=np.asarray(published, dtype=np.float64),
        sections=np.asarray(sections, dtype=np.int64),
        peak_views=rng.lognormal(PEAK_LOG_MEAN, PEAK_LOG_SIGMA, size=len(ids)),
    )
