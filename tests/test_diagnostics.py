import numpy as np
import pytest
import torch

from aelab import diagnostics as dg


def ar1(phi, steps=20_000, chains=4, seed=0):
    """An AR(1) process x_t = phi x_{t-1} + noise: autocorrelation phi^k, tau (1+phi)/(1-phi)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((steps, chains))
    noise = rng.standard_normal((steps, chains))
    for t in range(1, steps):
        x[t] = phi * x[t - 1] + noise[t]
    return x


def test_switches_on_hand_made_sequences():
    assert dg.switches_per_100([3, 3, 3, 3, 3]) == 0.0
    assert dg.switches_per_100([0, 0, 1, 1, 2]) == pytest.approx(50.0)  # 2 of 4 transitions
    assert dg.switches_per_100([0, 1, 0, 1, 0]) == pytest.approx(100.0)
    two_chains = torch.tensor([[0, 5], [0, 6], [1, 6], [1, 6], [1, 6]])  # (steps, chains)
    assert dg.switches_per_100(two_chains) == pytest.approx(100 * (1 + 1) / 8)


def test_switches_between_confident_readings_ignore_flicker():
    labels = np.array([7, 3, 7, 1, 7, 7, 2, 2, 2])
    sure = np.array([1, 0, 1, 0, 1, 1, 1, 1, 1], dtype=bool)  # the 3 and the 1 are unsure
    assert dg.switches_per_100(labels) == pytest.approx(100 * 5 / 8)
    assert dg.switches_per_100(labels, sure) == pytest.approx(100 * 1 / 8)  # only 7 -> 2
    assert dg.switches_per_100(labels, np.ones(9, dtype=bool)) == dg.switches_per_100(labels)
    with pytest.raises(ValueError, match="must match"):
        dg.switches_per_100(labels, sure[:4])


def test_switches_need_two_steps():
    with pytest.raises(ValueError, match="at least 2 steps"):
        dg.switches_per_100([4])


def test_classes_visited_counts_per_chain_and_respects_the_mask():
    labels = np.array([[0, 1], [2, 1], [2, 1], [3, 1]])
    assert dg.classes_visited(labels).tolist() == [3, 1]
    mask = np.array([[True, True], [False, True], [False, True], [True, True]])
    assert dg.classes_visited(labels, mask).tolist() == [2, 1]
    with pytest.raises(ValueError, match="must match"):
        dg.classes_visited(labels, mask[:2])


def test_class_distribution_and_total_variation():
    p = dg.class_distribution([0, 0, 1, 3], n_classes=4)
    assert p.tolist() == [0.5, 0.25, 0.0, 0.25]
    assert dg.total_variation(p, p) == 0.0
    assert dg.total_variation([1, 0], [0, 1]) == 1.0
    assert dg.total_variation([0.5, 0.5], [0.75, 0.25]) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="0..3"):
        dg.class_distribution([0, 4], n_classes=4)
    with pytest.raises(ValueError, match="not a distribution"):
        dg.total_variation([0.5, 0.6], [0.5, 0.5])


def test_autocorrelation_of_an_ar1_process_is_phi_to_the_lag():
    rho = dg.autocorrelation(ar1(0.8), max_lag=5)
    assert rho[0] == 1.0
    np.testing.assert_allclose(rho, 0.8 ** np.arange(6), atol=0.03)


def test_autocorrelation_by_fft_equals_the_direct_sums():
    rng = np.random.default_rng(1)
    for steps, chains in [(2, 1), (7, 3), (100, 4), (1000, 2)]:
        a = rng.standard_normal((steps, chains)) + rng.standard_normal(chains)
        c = a - a.mean(axis=0)
        cov = np.array([(c[: steps - k] * c[k:]).sum(axis=0).mean() for k in range(steps)])
        rho = dg.autocorrelation(a, steps - 1)
        np.testing.assert_allclose(rho, cov / cov[0], rtol=0, atol=1e-10)


def test_autocorrelation_time_of_ar1_and_of_independent_draws():
    assert dg.autocorrelation_time(ar1(0.9)) == pytest.approx(19.0, rel=0.15)
    white = np.random.default_rng(1).standard_normal((5000, 4))
    assert dg.autocorrelation_time(white) == pytest.approx(1.0, abs=0.15)


def test_autocorrelation_rejects_constant_chains_and_bad_lags():
    with pytest.raises(ValueError, match="constant"):
        dg.autocorrelation(np.ones((10, 2)), 3)
    with pytest.raises(ValueError, match="max_lag"):
        dg.autocorrelation(ar1(0.5, steps=10), 10)


def test_frechet_distance_of_a_set_to_itself_is_zero():
    x = np.random.default_rng(0).standard_normal((500, 8))
    assert dg.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    assert dg.frechet_distance(torch.from_numpy(x), x) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    # diagonal covariances: |mu_a - mu_b|^2 + sum (sigma_a - sigma_b)^2
    rng = np.random.default_rng(0)
    z = rng.standard_normal((200_000, 3))
    a, b = z * [1.0, 2.0, 0.5], z[::-1] * [2.0, 2.0, 1.0] + [1.0, 0.0, 0.0]
    expected = 1.0 + (1 - 2) ** 2 + 0 + (0.5 - 1) ** 2
    assert dg.frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_frechet_distance_with_singular_covariances_stays_finite():
    rng = np.random.default_rng(0)
    a = np.zeros((50, 10))
    a[:, :2] = rng.standard_normal((50, 2))  # rank 2 in 10 dimensions
    b = rng.standard_normal((50, 10))
    assert np.isfinite(dg.frechet_distance(a, b)) and dg.frechet_distance(a, b) > 0
    assert dg.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_rejects_mismatched_features():
    with pytest.raises(ValueError, match="same d"):
        dg.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="at least 2"):
        dg.frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
