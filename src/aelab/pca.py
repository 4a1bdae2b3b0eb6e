"""Principal component analysis as the yardstick for (linear) autoencoders.

Chapter 2 compares what an autoencoder learns with PCA. The PCA itself is
scikit-learn's; this module adds the few quantities the comparison needs:

* ``spectrum`` - every eigenvalue of the data's covariance, largest first;
* ``reconstruct`` / ``squared_error`` - PCA's reconstruction of images and its
  error in the book's metric (squared error summed over pixels, averaged over
  images), so that PCA and an autoencoder are measured alike;
* ``principal_angles`` - the angles between two subspaces (SciPy's
  ``subspace_angles``), in degrees, smallest first;
* ``linear_maps`` - the encoder and decoder matrices of a linear autoencoder;
* ``direction_angles`` - the angle between matching columns of two matrices,
  to compare individual directions rather than whole subspaces.

Arrays go in as NumPy arrays or tensors and come out as NumPy arrays, in
float64: principal angles below a degree need more than float32's digits.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from sklearn.decomposition import PCA
from torch import nn

from aelab._arrays import Array
from aelab._arrays import as_numpy as as_numpy  # ae.pca.as_numpy: chapters 2 and 7 call it so
from aelab.models import linear_layers


def fit(x: Array, k: int | None = None) -> PCA:
    """scikit-learn's PCA with ``k`` components (None: all), fitted to the rows of ``x``.

    It diagonalises the D x D covariance matrix (``svd_solver="covariance_eigh"``),
    exact and much faster than an SVD of all N images when N >> D, as for MNIST.
    PCA centres the data itself: ``pca.mean_`` is the mean image.
    """
    return PCA(n_components=k, svd_solver="covariance_eigh").fit(as_numpy(x))


def spectrum(x: Array) -> np.ndarray:
    """Eigenvalues of the covariance of the rows of ``x``, largest first (length D).

    The covariance is the *population* one, ``X_c^T X_c / N`` for centred data,
    so that the mean squared error of a k-component PCA on the same data equals
    ``spectrum(x)[k:].sum()`` exactly. (scikit-learn's ``explained_variance_``
    divides by ``N - 1``; the two differ by the factor ``(N - 1) / N``.)
    """
    a = as_numpy(x)
    centred = a - a.mean(0)
    covariance = centred.T @ centred / len(a)
    return np.clip(np.linalg.eigvalsh(covariance)[::-1], 0.0, None)  # eigvalsh: ascending


def reconstruct(pca: PCA, x: Array, k: int | None = None) -> np.ndarray:
    """Project ``x`` onto the top ``k`` components and map it back: ``mean + P P^T (x - mean)``.

    ``k=None`` uses all of the fitted components; a smaller ``k`` reuses one fit
    for several code sizes (the top k of a larger PCA are the k-component PCA).
    """
    if k is None:
        return pca.inverse_transform(pca.transform(as_numpy(x)))
    if not 1 <= k <= pca.n_components_:
        raise ValueError(f"k={k}: this PCA has {pca.n_components_} components; choose 1..that.")
    p = pca.components_[:k]
    return pca.mean_ + (as_numpy(x) - pca.mean_) @ p.T @ p


def squared_error(pca: PCA, x: Array, k: int | None = None) -> float:
    """The book's metric for PCA: squared error summed over pixels, averaged over images."""
    a = as_numpy(x)
    return float(((a - reconstruct(pca, a, k)) ** 2).sum(1).mean())


def principal_angles(a: Array, b: Array) -> np.ndarray:
    """Principal angles in degrees between the column spaces of ``a`` (D x k) and ``b`` (D x l).

    Smallest first, ``min(k, l)`` of them. The columns need not be orthonormal,
    only linearly independent. All zero means that the spaces coincide (or one
    contains the other).
    """
    a, b = as_numpy(a), as_numpy(b)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(
            f"give two matrices with the same number of rows (one basis vector per column), "
            f"got shapes {a.shape} and {b.shape}."
        )
    for name, m in (("a", a), ("b", b)):
        rank = np.linalg.matrix_rank(m)
        if rank < m.shape[1]:
            raise ValueError(
                f"{name} has {m.shape[1]} columns but rank {rank}: some columns are linear "
                "combinations of others, so they span fewer dimensions and the angles would "
                f"mean nothing. Drop the dependent columns: {name} = scipy.linalg.orth({name})."
            )
    return np.sort(np.degrees(scipy.linalg.subspace_angles(a, b)))


def direction_angles(a: Array, b: Array) -> np.ndarray:
    """Angle in degrees between column i of ``a`` and column i of ``b``, ignoring the sign.

    0 means the same direction; 90 means orthogonal. Principal components have
    no sign of their own, so a flipped column counts as 0 degrees.
    """
    a, b = as_numpy(a), as_numpy(b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}.")
    cos = np.abs((a * b).sum(0)) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0))
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def linear_maps(model: nn.Module) -> tuple[np.ndarray, np.ndarray]:
    """Encoder matrix W (k x D) and decoder matrix V (D x k) of a one-layer linear autoencoder.

    ``model`` is e.g. ``ae.models.mlp_autoencoder((784, 30), output="linear")``:
    its encoder and decoder must each hold exactly one ``nn.Linear`` layer. The
    biases are not returned; the reconstruction is ``V (W x + b) + c``.
    """
    maps = []
    for part in (model.encoder, model.decoder):
        linears = linear_layers(part)
        others = [m for m in part.modules() if not isinstance(m, nn.Linear | nn.Sequential)]
        if len(linears) != 1 or others:
            raise ValueError(
                "linear_maps needs a one-layer linear autoencoder, e.g. "
                "ae.models.mlp_autoencoder((784, 30), output='linear'); this one has "
                f"{len(linears)} linear layer(s) and {len(others)} other module(s) in a part."
            )
        maps.append(as_numpy(linears[0].weight))
    return maps[0], maps[1]
