"""aelab: the shared code of the executable autoencoder course book.

Notebooks import it as ``import aelab as ae``; each module is one concept:

- running a chapter: ``config`` (device, quick mode, seeds), ``budgets`` (each
  chapter's data and epochs in full and quick mode: ``ae.budget``), ``start`` /
  ``claims`` / ``finish`` (the first and last cells), ``fit`` / ``evaluate``
  (``train``: one training loop),
  ``plots``, ``diagrams`` (the lecture's pictures), ``widgets``, ``exercises`` (the checkers);
- data: ``data`` (MNIST), ``patches`` and ``photos`` (real photographs),
  ``faces`` (procedural faces with known factors), ``noise`` (corruptions, PSNR);
- models: ``models`` (MLP autoencoders), ``conv`` (convolutional ones), ``unet``,
  ``stacked`` (greedy layer-wise training), ``vae`` (variational autoencoders),
  ``losses``;
- methods and measurements: ``pca``, ``sparsity``, ``noise2noise``, ``classical``
  (scikit-image's denoisers), ``scores`` (the score of a 2-D density),
  ``sampling`` (the denoising autoencoder's Markov chain), ``classifier`` and
  ``diagnostics`` (measuring chains), ``probe`` (linear probes, fine-tuning),
  ``latent`` (traversals, interpolations, factor correlations);
- the book's tables: ``tables`` (printed result tables), ``published`` (published
  numbers and the goals the chapters are checked against), ``goals`` (what a goal is).

Submodules load on first use (``ae.data``, ``ae.fit``; PEP 562), so ``import aelab``
costs almost nothing: a test worker or a subprocess that needs only ``ae.config``
does not pay for scikit-image, scikit-learn or the exercise checkers.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from aelab._version import __version__

#: The submodules, imported by ``__getattr__`` the first time ``ae.<name>`` is read.
MODULES = (
    "chapter",
    "budgets",
    "classical",
    "classifier",
    "config",
    "conv",
    "data",
    "diagnostics",
    "diagrams",
    "exercises",
    "faces",
    "goals",
    "latent",
    "losses",
    "models",
    "noise",
    "noise2noise",
    "patches",
    "pca",
    "photos",
    "plots",
    "probe",
    "published",
    "sampling",
    "scores",
    "sparsity",
    "stacked",
    "tables",
    "train",
    "unet",
    "vae",
    "widgets",
)
#: The functions a chapter calls as ``ae.<name>``, and the module that defines each.
FUNCTIONS = {
    "start": "chapter",
    "finish": "chapter",
    "claims": "chapter",
    "budget": "budgets",
    "glue": "chapter",
    "glue_seeds": "chapter",
    "mean_std": "chapter",
    "each_seed": "chapter",
    "fit": "train",
    "evaluate": "train",
}

__all__ = ["__version__", *MODULES, *FUNCTIONS]


def __getattr__(name: str) -> ModuleType | Any:
    """Import ``aelab.<name>`` (or the module defining the function ``name``) on first use."""
    if name in MODULES:
        return importlib.import_module(f"aelab.{name}")  # also sets it as an attribute
    if name in FUNCTIONS:
        value = getattr(importlib.import_module(f"aelab.{FUNCTIONS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aelab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
