"""The one conversion from a tensor (on any device, with or without gradients) to NumPy.

scikit-learn, SciPy and NumPy code in the package (``pca``, ``probe``,
``diagnostics``, ``latent``, ``sparsity``) takes tensors or arrays alike and
converts them here, so every such function accepts a GPU tensor or one that
requires grad, and no module keeps its own copy of the conversion.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch

Array = np.ndarray | torch.Tensor


def as_numpy(a: Array | npt.ArrayLike, dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """``a`` as a NumPy array of ``dtype`` (default float64; ``None`` keeps ``a``'s dtype).

    A tensor is detached and moved to the CPU first. float64 is the default
    because the NumPy side needs its digits (principal angles below a degree,
    covariances of many images). No copy is made where none is needed, so do not
    write into the result of a CPU tensor of the same dtype.
    """
    if isinstance(a, torch.Tensor):
        if a.dtype == torch.bfloat16:  # NumPy has no bfloat16; float32 holds it exactly
            a = a.float()
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=dtype)
