"""Checkers for chapter 2: principal angles, rotation invariance, choosing k."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg
import torch

from aelab.exercises._common import (
    _array,
    _call,
    _close,
    _first_hint,
    _number,
    _tensor,
    _Wrong,
    checker,
)


@checker
def check_principal_angles(fn: Callable[[object, object], object]) -> str:
    """``fn(A, B)``: principal angles in degrees between the column spaces of A and B."""
    rng = np.random.default_rng(5)
    for k, m in ((3, 3), (4, 2)):
        a = rng.standard_normal((20, k)) @ rng.standard_normal((k, k))  # not orthonormal
        b = a[:, :m] @ rng.standard_normal((m, m)) + 0.3 * rng.standard_normal((20, m))
        expected = np.sort(np.degrees(scipy.linalg.subspace_angles(a, b)))
        result = _call(fn, a.copy(), b.copy())
        got = _array(
            result,
            "The angles",
            if_not_finite=" arccos needs values in [-1, 1]; orthonormalise the bases first.",
        )
        got = np.sort(got.ravel())
        if got.shape != expected.shape:
            raise _Wrong(
                f"Expected {len(expected)} angles (the smaller of the two dimensions) for bases "
                f"with {k} and {m} columns, got {got.size}."
            )
        if np.allclose(got, np.radians(expected), atol=1e-6):
            raise _Wrong("Those are radians: the book gives the angles in degrees.")
        if not np.allclose(got, expected, atol=1e-4):
            raise _Wrong(
                "The angles differ from scipy.linalg.subspace_angles. Did you orthonormalise "
                "both bases (np.linalg.qr) before taking the SVD of A^T B?"
            )
    return "Correct: your principal angles match scipy.linalg.subspace_angles."


@checker
def check_equivalent_autoencoder(fn: Callable[[object, object, object], object]) -> str:
    """``fn(W, V, M)``: the pair (W', V') for the code y' = M y with the same reconstruction."""
    g = torch.Generator().manual_seed(6)
    w = torch.randn(3, 8, generator=g, dtype=torch.float64)  # encoder, k x D
    v = torch.randn(8, 3, generator=g, dtype=torch.float64)  # decoder, D x k
    m = torch.randn(3, 3, generator=g, dtype=torch.float64) + 2 * torch.eye(3)  # not orthogonal
    result = _call(fn, w.clone(), v.clone(), m.clone())
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise _Wrong("Return a pair (W_new, V_new).")
    w2 = _tensor(result[0], m @ w, "W_new (the new encoder)")
    if not _close(w2, m @ w, result[0].dtype):
        if _close(w2, w, result[0].dtype):
            raise _Wrong("W_new equals W: the new code should be y' = M y, so W_new = M W.")
        raise _Wrong("W_new (the new encoder) differs from the reference.")
    expected = v @ torch.linalg.inv(m)
    v2 = _tensor(result[1], expected, "V_new (the new decoder)")
    if not _close(v2, expected, result[1].dtype):
        hint = _first_hint(
            v2,
            [
                (
                    v @ m.T,
                    " V M^T undoes M only when M is orthogonal (a rotation); here it is not.",
                ),
                (v @ m, " V M does not undo M: the decoder must apply M's inverse."),
            ],
            result[1].dtype,
        )
        raise _Wrong(f"V_new (the new decoder) differs from the reference.{hint}")
    return (
        "Correct: V M^-1 M W = V W, so both pairs reconstruct every input identically "
        "and have the same loss; the weights alone cannot be the principal components."
    )


@checker
def check_choose_k(fn: Callable[[object, float], object]) -> str:
    """``fn(eigenvalues, fraction)``: smallest k whose top-k eigenvalues hold ``fraction``."""
    cases = [
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.5, 1),  # exactly half: the first alone
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.75, 2),
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.9, 4),
        (np.array([3.0, 3.0, 3.0, 1.0]), 0.95, 4),
        (np.array([5.0, 1.0, 1.0, 1.0, 1.0, 1.0]), 0.1, 1),
    ]
    for eigenvalues, fraction, expected in cases:
        result = _call(fn, eigenvalues.copy(), fraction)
        if isinstance(result, bool | np.bool_ | str):
            raise _Wrong(f"Return a whole number k, got {result!r}.")
        k = _number(result, "k")
        if k != int(k):
            raise _Wrong(f"Return a whole number k, got {k!r}.")
        if k != expected:
            ask = f"for the eigenvalues {eigenvalues.tolist()} and fraction {fraction}"
            hint = ""
            if k == expected - 1:
                hint = " Off by one: an index counts from 0, the number of components from 1."
            elif k == expected + 1:
                hint = " One too many: 'at least' the fraction includes equality."
            raise _Wrong(f"Expected k = {expected} {ask}, got {int(k)}.{hint}")
    return "Correct: the cumulative share of the eigenvalues decides k."
