"""Every named hint of every checker fires for the mistake it names (the chapter test files
test some already; this table holds the rest, so that no hint is dead code)."""

import math

import numpy as np
import pytest
import test_exercises_ch01 as ch1
import test_exercises_ch02 as ch2
import test_exercises_ch03 as ch3
import test_exercises_ch05 as ch5
import test_exercises_ch06 as ch6
import test_exercises_ch07 as ch7
import test_exercises_ch08 as ch8
import test_exercises_ch09 as ch9
import torch

from aelab import exercises as ex

M1, M5, M6 = {**ch1.CASES, **ch2.CASES, **ch3.CASES}, ch5.CASES, ch6.CASES
M7, M8, M9 = ch7.CASES, ch8.CASES, ch9.CASES


def mistake(cases, checker, name):
    return cases[checker][1][name]


def gaussian_without_half(x_hat, x, sigma):
    """The squared error without the 1/2; the normalising constant is right."""
    d = x.shape[1]
    squared = ((x - x_hat) ** 2).sum(1) / sigma**2
    return squared + d * math.log(sigma) + d / 2 * math.log(2 * math.pi)


def angles_without_clip(a, b):
    with np.errstate(invalid="ignore"):  # the student's NaN, which the checker explains
        return np.degrees(np.arccos(np.linalg.svd(a.T @ b, compute_uv=False)))


def acf_across_chains(series, max_lag):
    """Pairs x_t of one chain with x_(t+k) of the next: no memory at any lag."""
    c = series - series.mean(0)
    var = (c * c).mean()
    lags = [(c[: len(c) - k] * c[k:].roll(1, dims=1)).mean() / var for k in range(1, max_lag + 1)]
    return torch.stack([torch.ones((), dtype=c.dtype), *lags])


def stack_without_sigmoid(layers, x):
    y = x
    for layer in layers:
        y = layer.encode(y)
    for layer in reversed(layers[1:]):
        y = torch.relu(layer.decode(y))
    return layers[0].decoder(y)


def elbo_kl_averaged(x, logits, mu, sigma):
    return ch8.bernoulli_ll(logits, x).sum(1) - ch8.kl(mu, sigma) / mu.shape[1]


def no_gradient_through_the_sample(mu, sigma):
    z = mu + sigma * torch.randn_like(mu)
    return z.detach() + 0 * (mu + sigma)


HINTS = [
    # chapter 1
    (ex.check_gaussian_nll, gaussian_without_half, "check the 1/2 in front of it"),
    (ex.check_gaussian_nll, lambda *a: -ch1.gaussian_reference(*a), "sign is flipped"),
    (ex.check_bernoulli_nll, mistake(M1, ex.check_bernoulli_nll, "mean over pixels"), "averaged"),
    (ex.check_pixel_probabilities, mistake(M1, ex.check_pixel_probabilities, "tanh"), "[0, 1]"),
    (
        ex.check_pixel_probabilities,
        mistake(M1, ex.check_pixel_probabilities, "exp overflow"),
        "exp(h) overflows",
    ),
    # chapter 2
    (
        ex.check_principal_angles,
        mistake(M1, ex.check_principal_angles, "no orthonormalisation"),
        "Did you orthonormalise",
    ),
    (ex.check_principal_angles, angles_without_clip, "arccos needs values in [-1, 1]"),
    (
        ex.check_equivalent_autoencoder,
        mistake(M1, ex.check_equivalent_autoencoder, "unchanged"),
        "W_new equals W",
    ),
    (
        ex.check_equivalent_autoencoder,
        mistake(M1, ex.check_equivalent_autoencoder, "no inverse"),
        "V M does not undo M",
    ),
    (ex.check_choose_k, lambda e, f: ch2.choose_k_reference(e, f) + 1, "One too many"),
    # chapter 3
    (
        ex.check_lifetime_sparsity,
        mistake(M1, ex.check_lifetime_sparsity, "bool"),
        "fraction of the inputs (floating-point)",
    ),
    # chapter 4
    (
        ex.check_upsampling_decoder,
        __import__("test_exercises_ch04").CASES[ex.check_upsampling_decoder][1]["no convolution"],
        "with nn.Conv2d layers",
    ),
    # chapter 5
    (ex.check_psnr, mistake(M5, ex.check_psnr, "rmse"), "Square the error"),
    (ex.check_psnr, mistake(M5, ex.check_psnr, "sum"), "Average, do not sum"),
    (ex.check_psnr, mistake(M5, ex.check_psnr, "sign"), "Check the sign"),
    (ex.check_n2n_pair, mistake(M5, ex.check_n2n_pair, "clean target"), "is the clean image"),
    (
        ex.check_n2n_pair,
        mistake(M5, ex.check_n2n_pair, "variance for std"),
        "multiply standard normal noise by sigma",
    ),
    (ex.check_n2n_pair, mistake(M5, ex.check_n2n_pair, "biased"), "should have mean zero"),
    (
        ex.check_best_constant,
        mistake(M5, ex.check_best_constant, "always mean"),
        "minimiser of the L2",
    ),
    # chapter 6
    (ex.check_autocorrelation, acf_across_chains, "of the same chain, along time"),
    # chapter 7
    (
        ex.check_layer_parameters,
        mistake(M7, ex.check_layer_parameters, "encoder only"),
        "has a decoder as well",
    ),
    (
        ex.check_layer_parameters,
        mistake(M7, ex.check_layer_parameters, "no decoder bias"),
        "The decoder has biases too",
    ),
    (ex.check_layer_parameters, mistake(M7, ex.check_layer_parameters, "total"), "not their total"),
    (ex.check_stacked_reconstruction, stack_without_sigmoid, "applies the sigmoid: use it last"),
    (
        ex.check_stacked_reconstruction,
        mistake(M7, ex.check_stacked_reconstruction, "first layer only"),
        "first layer alone",
    ),
    (
        ex.check_standardise,
        mistake(M7, ex.check_standardise, "one scale for all"),
        "Standardise each code unit",
    ),
    (
        ex.check_standardise,
        mistake(M7, ex.check_standardise, "centred only"),
        "by its standard deviation too",
    ),
    (ex.check_standardise, mistake(M7, ex.check_standardise, "variance"), "not the variance"),
    # chapter 8
    (ex.check_elbo, mistake(M8, ex.check_elbo, "plus the KL"), "Subtract the KL term"),
    (ex.check_elbo, mistake(M8, ex.check_elbo, "no KL"), "Subtract the KL divergence"),
    (ex.check_elbo, lambda x, lg, mu, s: -ch8.kl(mu, s), "Add the reconstruction term"),
    (ex.check_elbo, mistake(M8, ex.check_elbo, "the loss"), "flip the sign"),
    (ex.check_elbo, mistake(M8, ex.check_elbo, "mean over pixels"), "over the pixels; do not"),
    (ex.check_elbo, elbo_kl_averaged, "Sum the KL over the latent"),
    (ex.check_elbo, mistake(M8, ex.check_elbo, "sigmoid twice"), "not through a sigmoid"),
    (ex.check_elbo, lambda *a: ch8.elbo(*a).sum(), "do not sum the batch"),
    (ex.check_elbo, mistake(M8, ex.check_elbo, "batch mean"), "(shape (N,)): do not average"),
    (
        ex.check_score_function_estimator,
        mistake(M8, ex.check_score_function_estimator, "no f"),
        "Multiply the score by the value",
    ),
    (
        ex.check_score_function_estimator,
        mistake(M8, ex.check_score_function_estimator, "divides by sigma"),
        "divides by sigma^2",
    ),
    (
        ex.check_score_function_estimator,
        lambda f_x, x, theta, sigma: f_x * (x - theta),
        "is (x - theta) / sigma^2",
    ),
    (
        ex.check_score_function_estimator,
        mistake(M8, ex.check_score_function_estimator, "mean"),
        "not the mean",
    ),
    (
        ex.check_importance_sampled_estimate,
        mistake(M8, ex.check_importance_sampled_estimate, "mean log-weight"),
        "the mean log-weight, the ELBO",
    ),
    (
        ex.check_importance_sampled_estimate,
        mistake(M8, ex.check_importance_sampled_estimate, "no 1/k"),
        "Divide by k",
    ),
    (
        ex.check_importance_sampled_estimate,
        mistake(M8, ex.check_importance_sampled_estimate, "wrong dim"),
        "Reduce over the k samples",
    ),
    (
        ex.check_importance_sampled_estimate,
        mistake(M8, ex.check_importance_sampled_estimate, "one number"),
        "one estimate per image",
    ),
    # chapter 9
    (
        ex.check_reparameterised_sample,
        mistake(M9, ex.check_reparameterised_sample, "uniform noise"),
        "not torch.rand_like",
    ),
    (
        ex.check_reparameterised_sample,
        mistake(M9, ex.check_reparameterised_sample, "sigma ignored"),
        "does not depend on sigma",
    ),
    (
        ex.check_reparameterised_sample,
        mistake(M9, ex.check_reparameterised_sample, "no noise"),
        "z is not random",
    ),
    (
        ex.check_reparameterised_sample,
        no_gradient_through_the_sample,
        "gradients are not those of mu + sigma * eps",
    ),
    (
        ex.check_gaussian_kl,
        mistake(M9, ex.check_gaussian_kl, "mean over coordinates"),
        "Sum over the latent coordinates",
    ),
    (
        ex.check_gaussian_kl,
        mistake(M9, ex.check_gaussian_kl, "log sigma for log sigma^2"),
        "log sigma^2 = 2 log sigma",
    ),
    (
        ex.check_gaussian_kl,
        lambda mu, s: 0.5 * (mu**2 + s - 1 - torch.log(s)).sum(1),
        "needs the variance sigma^2",
    ),
    (ex.check_gaussian_kl, mistake(M9, ex.check_gaussian_kl, "reversed"), "KL(p || q)"),
    (
        ex.check_gaussian_kl,
        mistake(M9, ex.check_gaussian_kl, "summed over the batch"),
        "do not sum over the batch",
    ),
    (
        ex.check_gaussian_kl,
        lambda mu, s: ch9.gaussian_kl(mu, s).mean(),
        "do not average over the batch",
    ),
    (ex.check_sharpness, mistake(M9, ex.check_sharpness, "dx only"), "|dx| alone"),
    (
        ex.check_sharpness,
        lambda x: (
            (x[:, :-1, 1:] - x[:, :-1, :-1]).abs() + (x[:, 1:, :-1] - x[:, :-1, :-1]).abs()
        ).mean(),
        "not |dx| + |dy|",
    ),
    (ex.check_sharpness, mistake(M9, ex.check_sharpness, "summed"), "do not sum"),
]


@pytest.mark.parametrize(
    "checker, wrong, hint", HINTS, ids=[f"{c.__name__}: {h}" for c, _, h in HINTS]
)
def test_the_hint_names_the_mistake(checker, wrong, hint, capsys):
    assert checker(wrong) is False
    out = capsys.readouterr().out
    assert hint in out, out
