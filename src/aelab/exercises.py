"""Checkers for the chapters' exercises.

Call a checker with your function: it runs it on test cases, compares with a
reference (``torch.distributions`` wherever one exists) and prints one friendly
verdict with a hint. It never raises, so a mistake never ends in a traceback
wall; it returns True or False so that tests can use it too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

PASS, FAIL = "✅ ", "❌ "


def _report(ok: bool, message: str) -> bool:
    print((PASS if ok else FAIL) + message)
    return ok


def _run(fn: Callable, *args: object) -> tuple[object, str | None]:
    """Call the student's function; turn any exception into a one-line message."""
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, "Not implemented yet: replace the `raise NotImplementedError` line."
    except Exception as err:  # noqa: BLE001 - any error becomes a verdict, not a traceback
        return None, f"Your function raised {type(err).__name__}: {err}"


def _mismatch(result: object, expected: torch.Tensor, what: str) -> str | None:
    """None if ``result`` matches ``expected``, else what is wrong with it."""
    if not isinstance(result, torch.Tensor):
        return f"{what} should be a torch.Tensor, got {type(result).__name__}."
    if result.shape != expected.shape:
        return f"{what} should have shape {tuple(expected.shape)}, got {tuple(result.shape)}."
    if not torch.isfinite(result).all():
        return f"{what} contains inf or nan."
    if not torch.allclose(result.double(), expected.double(), rtol=1e-5, atol=1e-6):
        return f"{what} differs from the reference."
    return None


def _per_image_hints(result: torch.Tensor, expected: torch.Tensor, d: int) -> str:
    """Hints for the usual slips in a per-image negative log-likelihood."""
    r, e = result.double(), expected.double()
    if torch.allclose(-r, e, rtol=1e-5):
        return " The sign is flipped: a negative log-likelihood is minus the log-density."
    if torch.allclose(r * d, e, rtol=1e-5):
        return " You averaged over the pixels: sum over them (the mean is over the batch)."
    diff = r - e
    if torch.allclose(diff, diff[0].expand_as(diff), atol=1e-4):
        return (
            f" It is off by the same constant ({diff[0].item():+.2f}) for every image: "
            "check the normalising constant."
        )
    if torch.allclose(2 * r, e, rtol=1e-5) or torch.allclose(r, 2 * e, rtol=1e-5):
        return " It is off by a factor of 2: check the 1/2 in front of the squared error."
    return ""


def check_gaussian_nll(fn: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> bool:
    """``fn(x_hat, x, sigma)``: -log N(x | x_hat, sigma^2 I) per image, shape ``(N,)``."""
    g = torch.Generator().manual_seed(1)
    for sigma in (1.0, 0.3):
        x_hat = torch.rand(6, 784, generator=g, dtype=torch.float64)
        x = torch.rand(6, 784, generator=g, dtype=torch.float64)
        expected = -Normal(x_hat, sigma).log_prob(x).sum(1)
        result, error = _run(fn, x_hat, x, sigma)
        if error:
            return _report(False, error)
        wrong = _mismatch(result, expected, "The NLL per image")
        if wrong:
            hint = _per_image_hints(result, expected, 784) if "differs" in wrong else ""
            return _report(False, f"{wrong} (sigma = {sigma}).{hint}")
    return _report(True, "Correct: your Gaussian NLL matches torch.distributions.Normal.")


def check_bernoulli_nll(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """``fn(p, x)``: -log Bernoulli(x | p) per image for probabilities ``p``, shape ``(N,)``."""
    g = torch.Generator().manual_seed(2)
    p = torch.rand(6, 784, generator=g, dtype=torch.float64).clamp(0.01, 0.99)
    x = torch.bernoulli(torch.full((6, 784), 0.3, dtype=torch.float64), generator=g)
    expected = -Bernoulli(probs=p).log_prob(x).sum(1)
    result, error = _run(fn, p, x)
    if error:
        return _report(False, error)
    wrong = _mismatch(result, expected, "The NLL per image")
    if wrong == "The NLL per image contains inf or nan.":
        wrong += " Did you swap p and x? The logarithm is of the prediction p, not of x."
    elif wrong and "differs" in wrong:
        wrong += _per_image_hints(result, expected, 784)
    if wrong:
        return _report(False, wrong)
    return _report(
        True, "Correct: your binary cross-entropy matches torch.distributions.Bernoulli."
    )


def check_pixel_probabilities(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(h)``: one independent probability per pixel from pre-activations ``h`` (N, 784)."""
    g = torch.Generator().manual_seed(3)
    h = 4 * torch.randn(5, 784, generator=g)
    h[0, :3] = torch.tensor([100.0, -100.0, 0.0])  # large logits catch an overflowing exp
    result, error = _run(fn, h)
    if error:
        return _report(False, error)
    if isinstance(result, torch.Tensor) and result.shape == h.shape:
        if torch.allclose(result.sum(1), torch.ones(len(h)), atol=1e-4):
            return _report(
                False,
                "Every image's probabilities sum to 1: that is a softmax over the pixels. "
                "It makes the pixels compete, so an image can have only one white pixel's worth "
                "of ink. Each pixel needs its own probability.",
            )
        if ((result < 0) | (result > 1)).any():
            return _report(False, "Some outputs lie outside [0, 1]: they are not probabilities.")
    wrong = _mismatch(result, torch.sigmoid(h), "The output")
    if wrong:
        if "inf or nan" in wrong:
            wrong += " For large |h|, exp(h) overflows: use torch.sigmoid."
        return _report(False, wrong)
    return _report(True, "Correct: a sigmoid per pixel gives 784 independent probabilities.")


def check_perfect_decoder(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(W)``: a decoder matrix V with ``V @ W @ x == x`` for every x (W square, invertible)."""
    g = torch.Generator().manual_seed(4)
    for trial in range(3):
        w = torch.randn(16, 16, generator=g, dtype=torch.float64)
        if trial == 0:  # an orthogonal encoder: its transpose would work too
            w = torch.linalg.qr(w).Q
        result, error = _run(fn, w.clone())
        if error:
            return _report(False, error)
        wrong = _mismatch(result, torch.linalg.inv(w), "V")
        if wrong:
            if isinstance(result, torch.Tensor) and torch.allclose(result.double(), w.T):
                wrong += " The transpose undoes only orthogonal (rotation) encoders."
            return _report(False, wrong)
    return _report(
        True,
        "Correct: V = W^-1 reconstructs every input perfectly, for any invertible encoder. "
        "So a zero training error says nothing about what the code has learned.",
    )


# --- chapter 2: undercomplete autoencoders and PCA -------------------------------


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


# --- chapter 3: sparse autoencoders ----------------------------------------------


def _sparse_codes(seed: int, signed: bool = True) -> torch.Tensor:
    """A batch of codes (N=6 inputs, k=10 units) with some exact zeros, in float64."""
    g = torch.Generator().manual_seed(seed)
    y = torch.rand(6, 10, generator=g, dtype=torch.float64)
    if signed:
        y = y - 0.4
    return y * (torch.rand(6, 10, generator=g, dtype=torch.float64) > 0.5)


def check_l1_activation_penalty(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(codes)``: sum over units of |y|, averaged over the inputs of the batch (a scalar)."""
    codes = _sparse_codes(7)
    expected = codes.abs().sum(1).mean()
    result, error = _run(fn, codes.clone())
    if error:
        return _report(False, error)
    wrong = _mismatch(result, expected, "The penalty")
    if wrong and isinstance(result, torch.Tensor) and result.numel() == 1:
        r = result.double().reshape(())
        hints = [
            (codes.abs().sum(), " You summed over the batch too: average over the inputs."),
            (
                codes.abs().mean(),
                " You averaged over the units: sum over them, as the L1 norm does.",
            ),
            (codes.sum(1).mean(), " Take the absolute value: negative codes count as well."),
            (codes.square().sum(1).mean(), " That is the squared L2 norm; the L1 norm uses |y|."),
        ]
        wrong += next((hint for value, hint in hints if torch.allclose(r, value)), "")
    if wrong:
        return _report(False, wrong)
    return _report(
        True,
        "Correct: one L1 norm per input, averaged over the batch, like the reconstruction error.",
    )


def check_kl_sparsity(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> bool:
    """``fn(codes, rho)``: sum over units j of KL(rho || rho_hat_j), rho_hat the batch mean."""
    for seed, rho in ((8, 0.05), (9, 0.2)):
        codes = 0.05 + 0.9 * _sparse_codes(seed, signed=False)  # firing rates in (0, 1)
        rho_hat = codes.mean(0)
        target = Bernoulli(probs=torch.full_like(rho_hat, rho))
        expected = kl_divergence(target, Bernoulli(probs=rho_hat)).sum()
        result, error = _run(fn, codes.clone(), rho)
        if error:
            return _report(False, error)
        wrong = _mismatch(result, expected, "The penalty")
        if wrong and isinstance(result, torch.Tensor) and result.numel() == 1:
            r = result.double().reshape(())
            per_input = codes.mean(1)
            hints = [
                (
                    kl_divergence(Bernoulli(probs=rho_hat), target).sum(),
                    " The KL divergence is not symmetric: it is KL(rho || rho_hat), "
                    "with the target rho first.",
                ),
                (
                    kl_divergence(target, Bernoulli(probs=rho_hat)).mean(),
                    " You averaged over the units: Ng's penalty sums over them.",
                ),
                (
                    (rho * torch.log(rho / rho_hat)).sum(),
                    " A Bernoulli has two outcomes: add (1 - rho) log((1 - rho)/(1 - rho_hat)).",
                ),
                (
                    kl_divergence(
                        Bernoulli(probs=torch.full_like(per_input, rho)),
                        Bernoulli(probs=per_input),
                    ).sum(),
                    " rho_hat_j is the mean of unit j over the batch (dim 0), not over the units.",
                ),
            ]
            wrong += next((hint for value, hint in hints if torch.allclose(r, value)), "")
        if wrong:
            return _report(False, f"{wrong} (rho = {rho})")
    return _report(True, "Correct: your penalty matches torch.distributions.kl_divergence.")


def check_lifetime_sparsity(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> bool:
    """``fn(codes, threshold)``: per unit, the fraction of inputs with |y| > threshold, ``(k,)``."""
    codes = _sparse_codes(10)
    codes[0, 0], codes[1, 1] = 0.1, -0.1  # exactly at the threshold: not active
    expected = (codes.abs() > 0.1).double().mean(0)
    result, error = _run(fn, codes.clone(), 0.1)
    if error:
        return _report(False, error)
    wrong = _mismatch(result, expected, "The lifetime sparsity")
    if wrong and isinstance(result, torch.Tensor):
        r = result.double()
        if r.shape == (len(codes),):
            wrong += " That is one number per input: average over the inputs (dim 0), per unit."
        elif r.shape == expected.shape:
            hints = [
                (
                    (codes.abs() > 0.1).double().sum(0),
                    " Give a fraction of the inputs, not a count.",
                ),
                (
                    (codes > 0.1).double().mean(0),
                    " Use |y|: a strongly negative code is active too.",
                ),
                (
                    (codes.abs() >= 0.1).double().mean(0),
                    " Active means strictly above the threshold.",
                ),
            ]
            wrong += next((hint for value, hint in hints if torch.allclose(r, value)), "")
    if wrong:
        return _report(False, wrong)
    return _report(True, "Correct: a unit with lifetime sparsity 0 never fires: it is a dead unit.")
