"""aelab: the shared code of the executable autoencoder course book.

Notebooks import it as ``import aelab as ae`` and use one module per concept:
``ae.config`` (device, quick mode, seeds), ``ae.data`` (MNIST), ``ae.models``,
``ae.losses``, ``ae.fit`` / ``ae.train``, ``ae.pca`` (PCA as a yardstick),
``ae.sparsity`` (sparsity penalties and measures), ``ae.patches`` (patches of
photographs), ``ae.plots``, ``ae.widgets``, ``ae.exercises`` and ``ae.start`` /
``ae.finish`` (the first and last cell of every chapter).
"""

__version__ = "0.1.0"

from aelab import (  # noqa: E402
    config,
    data,
    exercises,
    losses,
    models,
    patches,
    pca,
    plots,
    sparsity,
    train,
    widgets,
)
from aelab.chapter import finish, start  # noqa: E402
from aelab.train import evaluate, fit  # noqa: E402

__all__ = [
    "config",
    "data",
    "evaluate",
    "exercises",
    "finish",
    "fit",
    "losses",
    "models",
    "patches",
    "pca",
    "plots",
    "sparsity",
    "start",
    "train",
    "widgets",
]
