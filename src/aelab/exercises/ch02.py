"""Checkers for chapter 2: principal angles, rotation invariance, choosing k."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg
import torch

from aelab.exercises._common import _mismatch, _report, _run


def check_principal_angles(fn: Callable[[object, object], object]) -> bool:
    """``fn(A, B)``: principal angles in degrees between the column spaces of A and B."""
    rng = np.random.default_rng(5)
    for k, m in ((3, 3), (4, 2)):
        a = rng.standard_normal((20, k)) @ rng.standard_normal((k, k))  # not orthonormal
        b = a[:, :m] @ rng.standard_normal((m, m)) + 0.3 * rng.standard_normal((20, m))
        expected = np.sort(np.degrees(scipy.linalg.subspace_angles(a, b)))
        result, error = _run(fn, a.copy(), b.copy())
        if error:
            return _report(False, error)
        try:
            got = np.sort(np.asarray(result, dtype=np.float64).ravel())
        except (TypeError, ValueError):
            return _report(False, f"Return the angles as an array, got {type(result).__name__}.")
        if got.shape != expected.shape:
            return _report(
                False,
                f"Expected {len(expected)} angles (the smaller of the two dimensions) for bases "
                f"with {k} and {m} columns, got {got.size}.",
            )
        if not np.isfinite(got).all():
            return _report(
                False,
                "Some angles are inf or nan: arccos needs values in [-1, 1]; "
                "orthonormalise the bases first.",
            )
        if np.allclose(got, np.radians(expected), atol=1e-6):
            return _report(False, "Those are radians: the book gives the angles in degrees.")
        if not np.allclose(got, expected, atol=1e-6):
            return _report(
                False,
                "The angles differ from scipy.linalg.subspace_angles. Did you orthonormalise "
                "both bases (np.linalg.qr) before taking the SVD of A^T B?",
            )
    return _report(True, "Correct: your principal angles match scipy.linalg.subspace_angles.")


def check_equivalent_autoencoder(fn: Callable[[object, object, object], object]) -> bool:
    """``fn(W, V, M)``: the pair (W', V') for the code y' = M y with the same reconstruction."""
    g = torch.Generator().manual_seed(6)
    w = torch.randn(3, 8, generator=g, dtype=torch.float64)  # encoder, k x D
    v = torch.randn(8, 3, generator=g, dtype=torch.float64)  # decoder, D x k
    m = torch.randn(3, 3, generator=g, dtype=torch.float64) + 2 * torch.eye(3)  # not orthogonal
    result, error = _run(fn, w.clone(), v.clone(), m.clone())
    if error:
        return _report(False, error)
    if not (isinstance(result, tuple | list) and len(result) == 2):
        return _report(False, "Return a pair (W_new, V_new).")
    w2, v2 = result
    wrong = _mismatch(w2, m @ w, "W_new (the new encoder)")
    if wrong:
        if isinstance(w2, torch.Tensor) and w2.shape == w.shape and torch.allclose(w2, w):
            wrong = "W_new equals W: the new code should be y' = M y, so W_new = M W."
        return _report(False, wrong)
    if isinstance(v2, torch.Tensor) and v2.shape == v.shape:
        if torch.allclose(v2.double(), v @ m.T):
            return _report(
                False, "V M^T undoes M only when M is orthogonal (a rotation); here it is not."
            )
        if torch.allclose(v2.double(), v @ m):
            return _report(False, "V M does not undo M: the decoder must apply M's inverse.")
    wrong = _mismatch(v2, v @ torch.linalg.inv(m), "V_new (the new decoder)")
    if wrong:
        return _report(False, wrong)
    return _report(
        True,
        "Correct: V M^-1 M W = V W, so both pairs reconstruct every input identically "
        "and have the same loss; the weights alone cannot be the principal components.",
    )


def check_choose_k(fn: Callable[[object, float], object]) -> bool:
    """``fn(eigenvalues, fraction)``: smallest k whose top-k eigenvalues hold ``fraction``."""
    cases = [
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.5, 1),  # exactly half: the first alone
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.75, 2),
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.9, 4),
        (np.array([3.0, 3.0, 3.0, 1.0]), 0.95, 4),
        (np.array([5.0, 1.0, 1.0, 1.0, 1.0, 1.0]), 0.1, 1),
    ]
    for eigenvalues, fraction, expected in cases:
        result, error = _run(fn, eigenvalues.copy(), fraction)
        if error:
            return _report(False, error)
        try:
            k = int(result)
        except (TypeError, ValueError):
            return _report(False, f"Return a whole number k, got {type(result).__name__}.")
        if k != result:
            return _report(False, f"Return a whole number k, got {result!r}.")
        if k != expected:
            ask = f"for the eigenvalues {eigenvalues.tolist()} and fraction {fraction}"
            hint = ""
            if k == expected - 1:
                hint = " Off by one: an index counts from 0, the number of components from 1."
            elif k == expected + 1:
                hint = " One too many: 'at least' the fraction includes equality."
            return _report(False, f"Expected k = {expected} {ask}, got {k}.{hint}")
    return _report(True, "Correct: the cumulative share of the eigenvalues decides k.")
