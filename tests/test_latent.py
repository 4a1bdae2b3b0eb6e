"""Latent-space tools: interpolation, traversal, manifold grid, factor correlations, sharpness."""

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from aelab import latent


def test_interpolation_runs_from_end_to_end():
    z0, z1 = torch.tensor([0.0, 2.0]), torch.tensor([1.0, -2.0])
    path = latent.interpolate(z0, z1, 5)
    assert path.shape == (5, 2)
    torch.testing.assert_close(path[0], z0)
    torch.testing.assert_close(path[-1], z1)
    torch.testing.assert_close(path[2], (z0 + z1) / 2)
    with pytest.raises(ValueError, match="two ends"):
        latent.interpolate(z0, z1, 1)
    with pytest.raises(ValueError, match="same length"):
        latent.interpolate(z0, torch.zeros(3), 4)


def test_traversal_changes_one_coordinate_per_row():
    z = torch.tensor([0.5, -1.0, 2.0])
    out = latent.traversal(lambda c: c * 10, z, dims=[2, 0], values=[-1.0, 0.0, 1.0])
    assert out.shape == (2, 3, 3)
    torch.testing.assert_close(out[0, :, 2], torch.tensor([-10.0, 0.0, 10.0]))
    torch.testing.assert_close(out[0, :, :2], (z[:2] * 10).expand(3, 2))
    torch.testing.assert_close(out[1, :, 0], torch.tensor([-10.0, 0.0, 10.0]))
    with pytest.raises(ValueError, match="do not exist"):
        latent.traversal(lambda c: c, z, dims=[3], values=[0.0])


def test_manifold_grid_sits_at_prior_quantiles():
    grid = latent.manifold_grid(3, quantile=0.1)
    assert grid.shape == (9, 2)
    q = torch.distributions.Normal(0.0, 1.0).icdf(torch.tensor(0.9))
    torch.testing.assert_close(grid[0], torch.tensor([-q, q]))  # top left: low z1, high z2
    torch.testing.assert_close(grid[4], torch.zeros(2), atol=1e-6, rtol=0)  # the centre
    torch.testing.assert_close(grid[8], torch.tensor([q, -q]))
    with pytest.raises(ValueError, match="quantile"):
        latent.manifold_grid(3, quantile=0.6)


def test_factor_correlations_find_the_coordinate_that_tracks_a_factor():
    g = torch.Generator().manual_seed(0)
    factors = torch.rand(500, 2, generator=g)
    codes = torch.stack(
        [torch.exp(3 * factors[:, 1]), torch.randn(500, generator=g), -factors[:, 0]], dim=1
    )
    rho = latent.factor_correlations(codes, factors)
    assert rho.shape == (3, 2)
    assert rho[2, 0] == pytest.approx(1.0)  # a decreasing coordinate counts too
    assert rho[0, 1] == pytest.approx(1.0)  # monotone but not linear: rank correlation 1
    assert rho[1].max() < 0.15  # noise tracks nothing
    codes[:, 1] = 0.0
    assert latent.factor_correlations(codes, factors)[1].max() == 0  # constant: no nan
    with pytest.raises(ValueError, match="same N"):
        latent.factor_correlations(codes, factors[:10])


def test_sharpness_is_the_mean_gradient_magnitude_and_falls_with_blur():
    step = torch.zeros(1, 4, 4)
    step[:, :, 2:] = 1.0  # one vertical edge of height 1
    # 3 x 3 positions: the edge lies between columns 1 and 2, in all 3 rows
    assert latent.sharpness(step) == pytest.approx(3 / 9)
    assert latent.sharpness(step.reshape(1, 16)) == latent.sharpness(step.unsqueeze(1))
    rng = np.random.default_rng(0)
    images = torch.from_numpy((rng.random((8, 28, 28)) > 0.7).astype(np.float32))
    blurred = torch.from_numpy(gaussian_filter(images.numpy(), sigma=(0, 1.0, 1.0)))
    assert latent.sharpness(blurred) < 0.5 * latent.sharpness(images)
    with pytest.raises(ValueError, match="not square"):
        latent.sharpness(torch.rand(2, 10))
