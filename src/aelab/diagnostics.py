"""Is a Markov chain mixing, and do its samples look like data? Numbers that say so.

A sampler that runs a Markov chain (``aelab.sampling``) gives no sign of when it
has converged. These diagnostics measure it from the outside, on the labels
and features that a classifier (``aelab.classifier``) assigns to every step:

* ``switches_per_100``: how often a chain's label changes; 0 means it is stuck
  on one digit;
* ``classes_visited`` and ``class_distribution``: which digits a chain reaches,
  compared with the data's class frequencies by ``total_variation``;
* ``autocorrelation`` and ``autocorrelation_time`` of a summary statistic:
  how many steps the chain needs to forget where it was;
* ``frechet_distance``: how far a set of samples is from a set of real digits,
  as two Gaussians fitted in the classifier's feature space (the FID recipe of
  Heusel et al. 2017, with our MNIST classifier in place of Inception).

Arrays are laid out time first: ``(steps, n_chains)``.
"""

from __future__ import annotations

import numpy as np

from aelab._arrays import Array, as_numpy


def switches_per_100(labels: Array, mask: Array | None = None) -> float:
    """Label changes between consecutive steps, per 100 steps, averaged over the chains.

    Args:
        labels: ``(steps, n_chains)`` integer labels (or ``(steps,)`` for one chain).
        mask: optional ``(steps, n_chains)`` booleans, e.g. ``confidence > 0.9``.
            Then only the steps where it is True count as readings, and a switch
            is a change between two consecutive readings: a classifier that
            flickers between labels on an image it cannot read does not count as
            a chain moving between digits. The rate is still per 100 steps.
    """
    a = _time_first(labels, "labels", min_steps=2)
    if mask is None:
        return float(100.0 * (a[1:] != a[:-1]).mean())
    keep = _mask(mask, a)
    changes = [np.count_nonzero(np.diff(a[keep[:, i], i])) for i in range(a.shape[1])]
    return float(100.0 * np.mean(changes) / (len(a) - 1))


def classes_visited(labels: Array, mask: Array | None = None) -> np.ndarray:
    """Number of distinct labels each chain takes, ``(n_chains,)``.

    Args:
        labels: ``(steps, n_chains)`` integer labels.
        mask: optional ``(steps, n_chains)`` booleans; only steps where it is True
            count, e.g. ``confidence > 0.9`` so that a blurred transition that the
            classifier barely reads as a digit does not count as a visit.
    """
    a = _time_first(labels, "labels")
    keep = np.ones_like(a, dtype=bool) if mask is None else _mask(mask, a)
    return np.array([len(np.unique(a[keep[:, i], i])) for i in range(a.shape[1])])


def class_distribution(labels: Array, n_classes: int = 10) -> np.ndarray:
    """Fraction of all steps (of all chains) spent in each class, ``(n_classes,)``."""
    a = as_numpy(labels, np.int64).ravel()
    if a.size == 0 or a.min() < 0 or a.max() >= n_classes:
        raise ValueError(f"labels must be integers in 0..{n_classes - 1} (and not empty).")
    return np.bincount(a, minlength=n_classes) / a.size


def total_variation(p: Array, q: Array) -> float:
    """Total-variation distance ``0.5 * sum |p - q|`` of two distributions (0 equal, 1 disjoint)."""
    p, q = as_numpy(p), as_numpy(q)
    if p.shape != q.shape:
        raise ValueError(f"p has shape {p.shape}, q {q.shape}: compare distributions of one size.")
    for name, v in (("p", p), ("q", q)):
        if (v < 0).any() or not np.isclose(v.sum(), 1.0):
            raise ValueError(f"{name} is not a distribution: its entries must be >= 0, sum 1.")
    return float(0.5 * np.abs(p - q).sum())


def autocorrelation(series: Array, max_lag: int) -> np.ndarray:
    """Autocorrelation of a statistic along the chains at lags ``0..max_lag``.

    ``series`` is ``(steps, n_chains)``. Each chain is centred on its own mean;
    the autocovariances are averaged over chains before normalising by lag 0,
    so many short chains give one smooth estimate. The sums over time are
    computed with the FFT (O(N log N) in the chain length, not O(N^2)).
    """
    a = _time_first(series, "series", min_steps=2).astype(np.float64)
    steps = len(a)
    if not isinstance(max_lag, int) or not 0 <= max_lag < steps:
        raise ValueError(f"max_lag={max_lag!r}: choose a whole number from 0 to {steps - 1}.")
    a = a - a.mean(axis=0)
    n = 1 << (2 * steps - 1).bit_length()  # zero-padded: no wrap-around between lags
    spectrum = np.fft.rfft(a, n=n, axis=0)
    sums = np.fft.irfft(spectrum * spectrum.conj(), n=n, axis=0)[: max_lag + 1]
    cov = sums.mean(axis=1) / steps  # sum_t a[t] a[t + k], averaged over the chains
    if cov[0] <= 0:
        raise ValueError(
            "the series is constant along every chain: its autocorrelation is undefined."
        )
    return cov / cov[0]


def autocorrelation_time(series: Array, c: float = 5.0) -> float:
    """Integrated autocorrelation time ``tau = 1 + 2 sum_k rho_k`` (Sokal's adaptive window).

    ``tau`` is the number of steps the chain needs per effectively independent
    sample. The sum runs to the smallest window ``M >= c * tau(M)``, which cuts
    off the noisy tail of the estimated autocorrelation (the rule ``emcee`` uses).
    If no window up to the chain length qualifies, the estimate is unreliable
    and the value for the longest window is returned: run longer chains.
    """
    a = _time_first(series, "series", min_steps=2)
    rho = autocorrelation(a, len(a) - 1)
    taus = 2.0 * np.cumsum(rho) - 1.0  # tau(M) = 1 + 2 sum_{k=1..M} rho_k
    windows = np.arange(len(taus))
    ok = windows >= c * taus
    return float(taus[np.argmax(ok)] if ok.any() else taus[-1])


def frechet_distance(a: Array, b: Array) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature vectors ``(N, d)``.

    ``||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))``: 0 for identical
    sets, larger the more the means and covariances differ. The estimate is
    biased upwards for small sets, so compare only values from sets of equal
    size.
    """
    fa, fb = as_numpy(a), as_numpy(b)
    if fa.ndim != 2 or fb.ndim != 2 or fa.shape[1] != fb.shape[1]:
        raise ValueError(
            "give two sets of feature vectors (N, d) with the same d, "
            f"got {fa.shape} and {fb.shape}."
        )
    if min(len(fa), len(fb)) < 2:
        raise ValueError("each set needs at least 2 feature vectors to estimate a covariance.")
    mu_a, mu_b = fa.mean(0), fb.mean(0)
    cov_a, cov_b = np.cov(fa, rowvar=False), np.cov(fb, rowvar=False)
    # tr (S_a S_b)^(1/2) = sum of the square roots of the eigenvalues of the symmetric
    # S_a^(1/2) S_b S_a^(1/2): stable even when the covariances are singular (few samples)
    root_a = _psd_sqrt(cov_a)
    eigenvalues = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    value = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    return float(max(value, 0.0))


def _psd_sqrt(cov: np.ndarray) -> np.ndarray:
    """The symmetric square root of a covariance matrix (negative round-off set to 0)."""
    eigenvalues, vectors = np.linalg.eigh(cov)
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T


def _mask(mask: Array, labels: np.ndarray) -> np.ndarray:
    keep = as_numpy(mask, bool)
    if keep.ndim == 1:
        keep = keep[:, None]
    if keep.shape != labels.shape:
        raise ValueError(f"mask has shape {keep.shape}, labels {labels.shape}: they must match.")
    return keep


def _time_first(x: Array, name: str, min_steps: int = 1) -> np.ndarray:
    a = as_numpy(x, None)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or len(a) < min_steps:
        raise ValueError(
            f"{name} has shape {a.shape}: give (steps, n_chains) with at least {min_steps} steps."
        )
    return a
