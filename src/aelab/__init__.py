"""aelab: the shared code of the executable autoencoder course book.

Notebooks import it as ``import aelab as ae`` and use one module per concept:
``ae.config`` (device, quick mode, seeds), ``ae.data`` (MNIST), ``ae.models``,
``ae.losses``, ``ae.fit`` / ``ae.train``, ``ae.plots``, ``ae.exercises`` and
``ae.start`` / ``ae.finish`` (the first and last cell of every chapter).
"""

__version__ = "0.1.0"

from aelab import config, data, exercises, losses, models, plots, train  # noqa: E402
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
    "plots",
    "start",
    "train",
]
