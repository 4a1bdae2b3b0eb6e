"""aelab._arrays.as_numpy: the one tensor -> NumPy conversion (pca, probe, diagnostics, ...)."""

import numpy as np
import torch

import aelab as ae
from aelab._arrays import as_numpy


def test_float64_by_default_with_the_old_pca_conversion_s_values():
    x = torch.randn(5, 3, requires_grad=True)
    old = x.detach().cpu().double().numpy()  # what ae.pca.as_numpy did before
    new = as_numpy(x)
    assert new.dtype == np.float64
    np.testing.assert_array_equal(new, old)
    assert as_numpy([1, 2]).dtype == np.float64


def test_none_keeps_the_dtype_as_probe_and_diagnostics_need_for_labels():
    labels = torch.tensor([3, 1, 4])
    out = as_numpy(labels, None)
    assert out.dtype == np.int64 and out.tolist() == [3, 1, 4]
    assert as_numpy(np.array([True, False]), None).dtype == np.bool_


def test_bfloat16_which_numpy_lacks_converts():
    assert as_numpy(torch.tensor([1.5], dtype=torch.bfloat16)).tolist() == [1.5]


def test_chapters_name_for_it_is_the_same_function():
    assert ae.pca.as_numpy is as_numpy  # chapters 2 and 7 call ae.pca.as_numpy
