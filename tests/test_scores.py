import math

import pytest
import torch

from aelab import scores


def test_ring_mixture_sits_on_the_circle_and_smoothing_widens_it():
    ring = scores.ring_mixture(8, radius=2.0, std=0.1)
    x = ring.sample((4000,))
    assert x.norm(dim=1).mean().item() == pytest.approx(2.0, abs=0.01)
    wide = scores.ring_mixture(8, radius=2.0, std=0.1, smoothing=0.2)
    assert wide.component_distribution.base_dist.scale[0, 0].item() == pytest.approx(
        math.sqrt(0.05)
    )
    with pytest.raises(ValueError, match="std > 0"):
        scores.ring_mixture(std=0.0)


def test_score_of_one_gaussian_is_minus_x_over_variance():
    one = scores.ring_mixture(1, radius=0.0, std=0.5)
    x = torch.randn(10, 2, dtype=torch.float64)
    torch.testing.assert_close(scores.score(one, x), -x / 0.25)


def test_score_points_towards_the_nearest_mode():
    ring = scores.ring_mixture(4, radius=1.0, std=0.2)
    x = torch.tensor([[1.3, 0.0], [0.0, 0.6]], dtype=torch.float64)
    s = scores.score(ring, x)
    assert s[0, 0] < 0 and s[1, 1] > 0  # back to (1, 0), out to (0, 1)


def test_cosine_and_grid():
    u = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    v = torch.tensor([[3.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    torch.testing.assert_close(scores.cosine(u, v), torch.tensor([1.0, -1.0, 0.5**0.5]).double())
    with pytest.raises(ValueError, match="one shape"):
        scores.cosine(u, v[:2])
    g = scores.grid(1.5, 5)
    assert g.shape == (25, 2) and g.min() == -1.5 and g.max() == 1.5
