"""Checkers for the chapters' exercises, one module a chapter.

Call a checker with your function: it runs it on test cases, compares with a
reference (``torch.distributions`` wherever one exists) and prints one friendly
verdict with a hint. It never raises, so a mistake never ends in a traceback
wall; it returns True or False so that tests can use it too.

Notebooks call them as ``ae.exercises.check_...``; add a chapter's checkers in
its own module ``chNN.py`` and re-export them here.
"""

from aelab.exercises._common import FAIL, PASS
from aelab.exercises.ch01 import (
    check_bernoulli_nll,
    check_gaussian_nll,
    check_perfect_decoder,
    check_pixel_probabilities,
)
from aelab.exercises.ch02 import (
    check_choose_k,
    check_equivalent_autoencoder,
    check_principal_angles,
)
from aelab.exercises.ch03 import (
    check_kl_sparsity,
    check_l1_activation_penalty,
    check_lifetime_sparsity,
)

__all__ = [
    "FAIL",
    "PASS",
    "check_bernoulli_nll",
    "check_choose_k",
    "check_equivalent_autoencoder",
    "check_gaussian_nll",
    "check_kl_sparsity",
    "check_l1_activation_penalty",
    "check_lifetime_sparsity",
    "check_perfect_decoder",
    "check_pixel_probabilities",
    "check_principal_angles",
]
