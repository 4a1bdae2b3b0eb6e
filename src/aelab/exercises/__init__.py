"""Checkers for the chapters' exercises, one module a chapter.

Call a checker with your function: it runs it on test cases, compares with a
reference (``torch.distributions`` wherever one exists) and prints one friendly
verdict with a hint. It never raises, so a mistake never ends in a traceback
wall; it returns True or False so that tests can use it too. Any real floating
dtype is accepted (compared in float64), on any device; the global random
generators are left as they were.

A function that never returns is stopped after 30 s with a verdict, on Linux
(Colab) and macOS, where ``signal.setitimer`` exists and Jupyter runs the cell
in the main thread; on Windows there is no time limit (interrupt the kernel).

Notebooks call them as ``ae.exercises.check_...``; add a chapter's checkers in
its own module ``chNN.py`` and re-export them here.
"""

from aelab.exercises._common import FAIL, PASS
from aelab.exercises.ch01 import (
    check_bernoulli_nll,
    check_code_size_experiment,
    check_gaussian_nll,
    check_perfect_decoder,
    check_pixel_probabilities,
)
from aelab.exercises.ch02 import (
    check_choose_k,
    check_equivalent_autoencoder,
    check_nonlinear_beats_pca,
    check_principal_angles,
)
from aelab.exercises.ch03 import (
    check_kl_sparsity,
    check_l1_activation_penalty,
    check_lifetime_sparsity,
    check_sparsity_weight_experiment,
)
from aelab.exercises.ch04 import (
    check_conv_output_size,
    check_encoder_parameters,
    check_transposed_decoder,
    check_upsampling_decoder,
)
from aelab.exercises.ch05 import (
    check_best_constant,
    check_impulse_noise_loss,
    check_n2n_pair,
    check_psnr,
)
from aelab.exercises.ch06 import (
    check_autocorrelation,
    check_chain_step,
    check_switch_counter,
    check_too_little_noise,
)
from aelab.exercises.ch07 import (
    check_abrupt_reduction,
    check_layer_parameters,
    check_stacked_reconstruction,
    check_standardise,
)
from aelab.exercises.ch08 import (
    check_elbo,
    check_importance_sampled_estimate,
    check_score_function_estimator,
    check_vae_without_kl,
)
from aelab.exercises.ch09 import (
    check_beta_vae,
    check_gaussian_kl,
    check_reparameterised_sample,
    check_sharpness,
)

__all__ = [
    "FAIL",
    "PASS",
    "check_abrupt_reduction",
    "check_autocorrelation",
    "check_bernoulli_nll",
    "check_best_constant",
    "check_beta_vae",
    "check_chain_step",
    "check_choose_k",
    "check_code_size_experiment",
    "check_conv_output_size",
    "check_elbo",
    "check_encoder_parameters",
    "check_equivalent_autoencoder",
    "check_gaussian_kl",
    "check_gaussian_nll",
    "check_importance_sampled_estimate",
    "check_impulse_noise_loss",
    "check_kl_sparsity",
    "check_l1_activation_penalty",
    "check_layer_parameters",
    "check_lifetime_sparsity",
    "check_n2n_pair",
    "check_nonlinear_beats_pca",
    "check_perfect_decoder",
    "check_pixel_probabilities",
    "check_principal_angles",
    "check_psnr",
    "check_reparameterised_sample",
    "check_score_function_estimator",
    "check_sharpness",
    "check_sparsity_weight_experiment",
    "check_stacked_reconstruction",
    "check_standardise",
    "check_switch_counter",
    "check_too_little_noise",
    "check_transposed_decoder",
    "check_upsampling_decoder",
    "check_vae_without_kl",
]
