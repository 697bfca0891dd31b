"""Random sampling of RDDs (pyspark.rddsampler and the sampling methods of ``RDD``).

Each partition draws from its own generator, seeded from the sample's seed and the partition
index, so a sample with a given seed is the same every time its partitions are computed (as
long as the partitions hold the same elements in the same order). Without replacement each
element is kept with probability ``fraction`` (Bernoulli); with replacement it is repeated a
Poisson(``fraction``) number of times. The random streams are not pyspark's.
"""

from __future__ import annotations

import math
import random
import sys
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Sequence, TypeVar

from ember._checks import check_int, check_number

if TYPE_CHECKING:
    from ember.rdd import RDD

__all__ = ["RDDSampler", "RDDRangeSampler", "RDDStratifiedSampler", "SamplingFunctions"]

T = TypeVar("T")


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson(``mean``) draw: how many arrivals of a rate-1 process fall in ``[0, mean]``
    (no underflow for large means)."""
    k, t = 0, rng.expovariate(1.0)
    while t <= mean:
        k += 1
        t += rng.expovariate(1.0)
    return k


class RDDSamplerBase:
    """A seeded generator per partition."""

    def __init__(self, withReplacement: bool, seed: Optional[int] = None) -> None:
        self._seed = seed if seed is not None else random.randint(0, sys.maxsize)
        self._withReplacement = withReplacement

    def _rng(self, split: int) -> random.Random:
        return random.Random(f"{self._seed}/{split}")


class RDDSampler(RDDSamplerBase):
    """Keeps each element with probability ``fraction``, or repeats it Poisson(``fraction``)
    times with replacement."""

    def __init__(self, withReplacement: bool, fraction: float, seed: Optional[int] = None) -> None:
        super().__init__(withReplacement, seed)
        self._fraction = fraction

    def func(self, split: int, iterator: Iterable[T]) -> Iterator[T]:
        rng = self._rng(split)
        fraction = self._fraction
        if self._withReplacement:
            for x in iterator:
                for _ in range(_poisson(rng, fraction)):
                    yield x
        else:
            for x in iterator:
                if rng.random() < fraction:
                    yield x


class RDDRangeSampler(RDDSamplerBase):
    """Keeps the elements whose draw falls in ``[lowerBound, upperBound)``: samplers with the
    same seed and adjacent ranges split an RDD into disjoint parts (``randomSplit``)."""

    def __init__(self, lowerBound: float, upperBound: float, seed: Optional[int] = None) -> None:
        super().__init__(False, seed)
        self._lowerBound = lowerBound
        self._upperBound = upperBound

    def func(self, split: int, iterator: Iterable[T]) -> Iterator[T]:
        rng = self._rng(split)
        lb, ub = self._lowerBound, self._upperBound
        for x in iterator:
            if lb <= rng.random() < ub:
                yield x


class RDDStratifiedSampler(RDDSamplerBase):
    """Samples the pairs of each key with that key's fraction (``sampleByKey``)."""

    def __init__(self, withReplacement: bool, fractions: dict[Any, float], seed: Optional[int] = None) -> None:
        super().__init__(withReplacement, seed)
        self._fractions = fractions

    def func(self, split: int, iterator: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
        rng = self._rng(split)
        fractions = self._fractions
        for kv in iterator:
            fraction = fractions[kv[0]]
            if self._withReplacement:
                for _ in range(_poisson(rng, fraction)):
                    yield kv
            elif rng.random() < fraction:
                yield kv


def _fraction_for_sample_size(num: int, total: int, withReplacement: bool) -> float:
    """A sampling rate that gives at least ``num`` of ``total`` elements 99.99% of the time
    (Spark's bounds: a Poisson tail with replacement, a binomial one without)."""
    fraction = num / total
    if withReplacement:
        stdevs = 9 if num < 12 else 5
        return fraction + stdevs * math.sqrt(fraction / total)
    delta = 0.00005
    gamma = -math.log(delta) / total
    return min(1.0, fraction + gamma + math.sqrt(gamma * gamma + 2 * gamma * fraction))


class SamplingFunctions:
    """The sampling methods of ``RDD``."""

    def sample(self, withReplacement: bool, fraction: float, seed: Optional[int] = None) -> "RDD[T]":
        """A sampled subset: each element kept with probability ``fraction`` (without
        replacement), or drawn a Poisson(``fraction``) number of times (with replacement).

        >>> rdd = sc.parallelize(range(100), 4)
        >>> 6 <= rdd.sample(False, 0.1, 81).count() <= 14
        True
        """
        fraction = check_number(fraction, "sample", "fraction")
        if not fraction >= 0:
            raise ValueError(f"Fraction must be nonnegative, got {fraction}")
        seed = check_int(seed, "sample", "seed") if seed is not None else None
        return self.mapPartitionsWithIndex(RDDSampler(withReplacement, fraction, seed).func, True)  # type: ignore[attr-defined]

    def randomSplit(self, weights: Sequence[float], seed: Optional[int] = None) -> "list[RDD[T]]":
        """Splits this RDD at random into parts of the given relative sizes (weights are
        normalized); every element lands in exactly one part.

        >>> rdd = sc.parallelize(range(500), 1)
        >>> rdd1, rdd2 = rdd.randomSplit([2, 3], 17)
        >>> len(rdd1.collect() + rdd2.collect())
        500
        >>> 150 < rdd1.count() < 250
        True
        >>> 250 < rdd2.count() < 350
        True
        """
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
            raise TypeError(f"randomSplit: weights must be a list of numbers, got {type(weights).__name__}")
        ws = [check_number(w, "randomSplit", "weights") for w in weights]
        if not all(w >= 0 for w in ws):
            raise ValueError("Weights must be nonnegative")
        total = sum(ws)
        if not total > 0:
            raise ValueError("Sum of weights must be positive")
        seed = check_int(seed, "randomSplit", "seed") if seed is not None else random.randint(0, 2**32 - 1)
        bounds = [0.0]
        for w in ws:
            bounds.append(bounds[-1] + w / total)
        bounds[-1] = 1.0
        return [
            self.mapPartitionsWithIndex(RDDRangeSampler(lb, ub, seed).func, True)  # type: ignore[attr-defined]
            for lb, ub in zip(bounds, bounds[1:])
        ]

    def takeSample(self, withReplacement: bool, num: int, seed: Optional[int] = None) -> list[T]:
        """A sample of exactly ``num`` elements (fewer only without replacement from a smaller
        RDD), in random order.

        >>> import sys
        >>> rdd = sc.parallelize(range(0, 10))
        >>> len(rdd.takeSample(True, 20, 1))
        20
        >>> len(rdd.takeSample(False, 5, 2))
        5
        >>> len(rdd.takeSample(False, 15, 3))
        10
        >>> sc.range(0, 10).takeSample(False, sys.maxsize)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        ValueError: Sample size cannot be greater than ...
        """
        num = check_int(num, "takeSample", "num")
        seed = check_int(seed, "takeSample", "seed") if seed is not None else None
        maxSampleSize = sys.maxsize - int(10.0 * math.sqrt(sys.maxsize))
        if num < 0:
            raise ValueError("Sample size cannot be negative.")
        if num > maxSampleSize:
            raise ValueError(f"Sample size cannot be greater than {maxSampleSize}.")
        if num == 0 or self.getNumPartitions() == 0:  # type: ignore[attr-defined]
            return []
        total = self.count()  # type: ignore[attr-defined]
        if total == 0:
            return []
        rng = random.Random(seed)
        if not withReplacement and num >= total:
            everything: list[T] = self.collect()  # type: ignore[attr-defined]
            rng.shuffle(everything)
            return everything
        fraction = _fraction_for_sample_size(num, total, withReplacement)
        samples: list[T] = self.sample(withReplacement, fraction, seed).collect()  # type: ignore[attr-defined]
        # The rate makes a short sample very rare; draw again (with a new seed) if it happens.
        while len(samples) < num:
            samples = self.sample(withReplacement, fraction, rng.randint(0, sys.maxsize)).collect()  # type: ignore[attr-defined]
        rng.shuffle(samples)
        return samples[:num]

    def sampleByKey(
        self, withReplacement: bool, fractions: dict[Any, float], seed: Optional[int] = None
    ) -> "RDD[tuple[Any, Any]]":
        """A sample of each key's pairs at that key's rate in ``fractions`` (every key of the
        RDD must have one).

        >>> fractions = {"a": 0.2, "b": 0.1}
        >>> rdd = sc.parallelize(fractions.keys()).cartesian(sc.parallelize(range(0, 1000)))
        >>> sample = dict(rdd.sampleByKey(False, fractions, 2).groupByKey().collect())
        >>> 100 < len(sample["a"]) < 300 and 50 < len(sample["b"]) < 150
        True
        >>> max(sample["a"]) <= 999 and min(sample["a"]) >= 0
        True
        >>> max(sample["b"]) <= 999 and min(sample["b"]) >= 0
        True
        """
        if not isinstance(fractions, dict):
            raise TypeError(f"sampleByKey: fractions must be a dict, got {type(fractions).__name__}")
        for fraction in fractions.values():
            if check_number(fraction, "sampleByKey", "fractions") < 0:
                raise ValueError(f"Negative fraction value: {fraction}")
        seed = check_int(seed, "sampleByKey", "seed") if seed is not None else None
        sampler = RDDStratifiedSampler(withReplacement, dict(fractions), seed)
        return self.mapPartitionsWithIndex(sampler.func, True)  # type: ignore[attr-defined]
