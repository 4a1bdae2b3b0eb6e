"""aelab: the shared code of the executable autoencoder course book.

Notebooks import it as ``import aelab as ae``; each module is one concept:

- running a chapter: ``config`` (device, quick mode, seeds), ``start`` / ``finish``
  (the first and last cell), ``fit`` / ``evaluate`` (``train``: one training loop),
  ``plots``, ``widgets``, ``exercises`` (the checkers);
- data: ``data`` (MNIST), ``patches`` and ``photos`` (real photographs),
  ``faces`` (procedural faces with known factors), ``noise`` (corruptions, PSNR);
- models: ``models`` (MLP autoencoders), ``conv`` (convolutional ones), ``unet``,
  ``stacked`` (greedy layer-wise training), ``vae`` (variational autoencoders),
  ``losses``;
- methods and measurements: ``pca``, ``sparsity``, ``noise2noise``, ``classical``
  (scikit-image's denoisers), ``scores`` (the score of a 2-D density),
  ``sampling`` (the denoising autoencoder's Markov chain), ``classifier`` and
  ``diagnostics`` (measuring chains), ``probe`` (linear probes, fine-tuning),
  ``latent`` (traversals, interpolations, factor correlations).
"""

__version__ = "0.1.0"

from aelab import (  # noqa: E402
    classical,
    classifier,
    config,
    conv,
    data,
    diagnostics,
    exercises,
    faces,
    latent,
    losses,
    models,
    noise,
    noise2noise,
    patches,
    pca,
    photos,
    plots,
    probe,
    sampling,
    scores,
    sparsity,
    stacked,
    tables,
    train,
    unet,
    vae,
    widgets,
)
from aelab.chapter import finish, glue, start  # noqa: E402
from aelab.train import evaluate, fit  # noqa: E402

__all__ = [
    "classical",
    "classifier",
    "config",
    "conv",
    "data",
    "diagnostics",
    "evaluate",
    "exercises",
    "faces",
    "finish",
    "fit",
    "glue",
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
    "sampling",
    "scores",
    "sparsity",
    "stacked",
    "start",
    "tables",
    "train",
    "unet",
    "vae",
    "widgets",
]
