import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

import aelab as ae
from aelab import pca


def data(n=400, d=12, seed=0):
    """Rows with distinct, well separated variances along random directions, plus an offset."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((d, d)))[0]
    scales = np.linspace(3.0, 0.1, d)
    return (rng.standard_normal((n, d)) * scales) @ basis.T + 5.0


def test_spectrum_is_the_population_covariance_spectrum():
    x = data()
    values = pca.spectrum(x)
    assert values.shape == (12,) and np.all(np.diff(values) <= 0)
    reference = np.linalg.eigvalsh(np.cov(x, rowvar=False, bias=True))[::-1]
    assert np.allclose(values, reference)
    sklearn_values = PCA().fit(x).explained_variance_  # divides by N - 1
    assert np.allclose(values, sklearn_values * (len(x) - 1) / len(x))
    assert values.sum() == pytest.approx(x.var(0).sum())


@pytest.mark.parametrize("k", [1, 4, 11])
def test_pca_error_is_the_sum_of_the_discarded_eigenvalues(k):
    x = data()
    fitted = pca.fit(x, k)
    assert pca.squared_error(fitted, x) == pytest.approx(pca.spectrum(x)[k:].sum(), rel=1e-9)


def test_the_top_k_of_a_larger_pca_is_the_k_component_pca():
    x = data()
    big, small = pca.fit(x, 8), pca.fit(x, 3)
    assert np.allclose(pca.reconstruct(big, x, 3), pca.reconstruct(small, x))
    assert pca.squared_error(big, x, 3) == pytest.approx(pca.squared_error(small, x))
    with pytest.raises(ValueError, match="components"):
        pca.reconstruct(small, x, 4)


def test_fit_agrees_with_the_full_svd_and_accepts_tensors():
    x = data()
    ours = pca.fit(torch.tensor(x, dtype=torch.float32), 3)
    full = PCA(3, svd_solver="full").fit(x)
    assert np.abs(pca.direction_angles(ours.components_.T, full.components_.T)).max() < 1e-2
    assert np.allclose(pca.reconstruct(pca.fit(x, None), x), x)


def test_principal_angles_known_cases():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((10, 3))
    same = a @ rng.standard_normal((3, 3))  # another basis of the same space
    assert np.allclose(pca.principal_angles(a, same), 0, atol=1e-6)
    e = np.eye(10)
    assert np.allclose(pca.principal_angles(e[:, :2], e[:, 2:4]), [90, 90])
    t = np.radians(30)
    tilted = np.stack([e[:, 0], np.cos(t) * e[:, 1] + np.sin(t) * e[:, 2]], 1)
    assert np.allclose(pca.principal_angles(e[:, :2], tilted), [0, 30])  # smallest first
    assert pca.principal_angles(e[:, :4], e[:, :2]).shape == (2,)
    with pytest.raises(ValueError, match="same number of rows"):
        pca.principal_angles(e[:, :2], np.eye(9)[:, :2])


def test_direction_angles_ignore_the_sign():
    e = np.eye(4)
    assert np.allclose(pca.direction_angles(e[:, :2], -e[:, :2]), [0, 0])
    assert np.allclose(pca.direction_angles(e[:, :2], e[:, 2:]), [90, 90])
    assert np.allclose(pca.direction_angles(e[:, :1], (e[:, 0] + e[:, 1])[:, None]), [45])
    with pytest.raises(ValueError, match="same shape"):
        pca.direction_angles(e[:, :2], e[:, :3])


def test_linear_maps_give_the_reconstruction():
    model = ae.models.mlp_autoencoder((12, 3), output="linear")
    w, v = pca.linear_maps(model)
    assert w.shape == (3, 12) and v.shape == (12, 3)
    x = torch.randn(5, 12)
    b, c = model.encoder[0].bias.detach(), model.decoder[0].bias.detach()
    expected = (
        torch.tensor(v, dtype=torch.float32)
        @ (torch.tensor(w, dtype=torch.float32) @ x.T + b[:, None])
        + c[:, None]
    ).T
    assert torch.allclose(model(x), expected, atol=1e-5)
    with pytest.raises(ValueError, match="one-layer linear autoencoder"):
        pca.linear_maps(ae.models.mlp_autoencoder((12, 6, 3)))


def test_a_trained_linear_autoencoder_spans_the_pca_subspace():
    """Baldi & Hornik in miniature: linear AE + squared error -> the top-k principal subspace."""
    x = data(n=2000, d=8)
    x = torch.tensor(x - x.mean(0), dtype=torch.float32)
    ae.config.seed(0)
    model = ae.models.mlp_autoencoder((8, 2), output="linear")
    ae.fit(model, x, ae.losses.l2, epochs=60, batch_size=100, lr=1e-2, quiet=True)
    _, v = pca.linear_maps(model)
    fitted = pca.fit(x, 2)
    assert pca.principal_angles(v, fitted.components_.T).max() < 1.0
    error = ae.evaluate(model, x, ae.losses.l2)
    assert error == pytest.approx(pca.squared_error(fitted, x), rel=1e-3)
