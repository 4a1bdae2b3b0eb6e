"""Each chapter's budget: how much data, how many epochs, steps and samples, per mode.

A chapter runs in one of two modes (``ae.config.quick_mode()``). **Full mode** is
what the book shows: the budgets of the papers, as many epochs as the claims need.
**Quick mode** (``AELAB_QUICK=1``) is a few minutes per chapter on one CPU thread,
with budgets chosen so that every claim of the chapter still shows, only with
rougher numbers; the chapters' claims cells check that (``ae.claims``), and CI
runs every chapter in quick mode. Only the budget changes between the modes: the
models, losses, learning rates and code paths are the same.

This table is the one home of the numbers that differ between the modes. A chapter
reads its own in its settings cell::

    budget = ae.budget("02_undercomplete_and_pca")
    N_FIT = budget.N_FIT  # training images for the networks

and ``print(budget)`` shows every setting in both modes. To change a setting for
your own run, assign the name in the notebook (``N_FIT = 20_000``).
"""

from __future__ import annotations

from typing import Any

from aelab import config

# fmt: off
#: Chapter (notebook stem) -> setting -> (full mode, quick mode).
BUDGETS: dict[str, dict[str, tuple[Any, Any]]] = {
    "01_autoencoders_and_losses": {
        "N_TRAIN": (None, None),  # None: all 60,000 training images
        "EPOCHS": (20, 2),
        "IDENTITY_EPOCHS": (5, 2),
        "SCRATCH_EPOCHS": (3, 1),
        "N_SEEDS": (5, 2),
    },
    "02_undercomplete_and_pca": {
        "N_FIT": (60_000, 60_000),
        "LINEAR_EPOCHS": (40, 10),
        "LINEAR_BATCH": (500, 200),
        "LOGISTIC_EPOCHS": (30, 2),
        "DEEP_EPOCHS": (100, 3),
        "DEEP_BATCH": (256, 128),
        "DEEP_SEEDS": (3, 2),  # the deep autoencoder, trained again from other seeds
        "DEEP_2D_EPOCHS": (4, 1),
    },
    "03_sparse_autoencoders": {
        "N_TRAIN": (20_000, 20_000),
        "EPOCHS": (10, 5),
        "SWEEP": ([0.0, 0.01, 0.03, 0.1, 0.3], [0.0, 0.03, 0.1]),
        "N_PATCHES": (50_000, 10_000),
        "PATCH_EPOCHS": (150, 5),
        "ONEHOT_EPOCHS": (10, 3),
        "ONEHOT_SEEDS": (5, 2),  # the one-hot AE against k-means, from other starting digits
    },
    "04_convolutional_autoencoders": {
        "N_TRAIN": (60_000, 15_000),
        "EPOCHS": (10, 1),
        "BATCH": (256, 32),
        "N_PROBE": (2_000, 300),
        "N_SEEDS": (3, 2),
    },
    "05_denoising_and_noise2noise": {
        "N_TRAIN": (60_000, 5_000),
        "EPOCHS": (10, 1),
        "N_PROBE": (10_000, 2_000),
        "TOY_EPOCHS": (40, 25),
        "STEPS": (1200, 150),
        "CROP": (64, 32),
        "TEST_SIZE": (None, 128),  # None: whole held-out photographs
        "BIAS_STEPS": (300, 80),
        "N_SEEDS": (5, 2),
        "EXTRA_SIZE": (512, 128),
    },
    "06_dae_markov_chain_sampling": {
        "LEVELS": ([0.1, 0.3, 0.5, 0.7, 0.9], [0.1, 0.5, 0.9]),
        "N_TRAIN": (None, 20_000),  # None: all 60,000 training images
        "DAE_EPOCHS": (5, 2),
        "CLF_EPOCHS": (10, 5),
        "N_CHAINS": (100, 50),
        "STEPS": (1000, 200),
        "N_FD": (1000, 500),
        "BURN_IN": (200, 100),
        "SEEDS": (3, 2),  # training runs per level, for "Another seed"
    },
    "07_stacked_autoencoders": {
        "N_TRAIN": (60_000, 10_000),
        "PRETRAIN_EPOCHS": (3, 1),
        "FINETUNE_EPOCHS": (12, 8),
        "N_SEEDS": (5, 2),
        "RECIPE_SEEDS": (3, 2),
        "CLF_EPOCHS_1PCT": (100, 20),
        "CLF_EPOCHS_10PCT": (15, 3),
        "CLF_EPOCHS_100PCT": (3, 1),
    },
    "08_vae_elbo": {
        "N_TRAIN": (60_000, 2_000),
        "EPOCHS": (500, 2),
        "N_TEST": (10_000, 100),
        "K_TEST": (5000, 50),
        "KS": ([1, 5, 50, 500, 5000], [1, 5, 50]),
        "N_CURVE": (500, 50),
        "EPOCHS_1D": (10, 1),
        "CLF_EPOCHS": (10, 1),
    },
    "09_vae_latent_space": {
        "N_TRAIN": (30_000, 20_000),
        "EPOCHS_2D": (10, 1),
        "SEEDS_2D": (5, 2),  # two of the 2-d models, trained again from other seeds
        "EPOCHS_16D": (15, 3),
        "PATH_SEEDS": (5, 2),  # both 16-d models, trained again from other seeds for the paths
        "N_FACES": (20_000, 15_000),
        "FACE_EPOCHS": (30, 15),
        "FACE_SEEDS": (5, 2),  # both face models, trained again from other seeds
        "N_LL": (500, 50),
        "KS": ([1, 10, 100, 1000], [1, 10]),
        "CLF_EPOCHS": (10, 1),
        "N_PRIOR": (2_000, 1_000),
    },
}
# fmt: on


class Budget:
    """One chapter's settings for one mode; read them as attributes (``budget.EPOCHS``)."""

    def __init__(self, chapter: str, quick: bool) -> None:
        self.chapter, self.quick = chapter, quick
        self._table = BUDGETS[chapter]

    def __getattr__(self, name: str) -> Any:
        table = self.__dict__.get("_table", {})
        if name not in table:
            raise AttributeError(
                f"{name!r} is no setting of {self.__dict__.get('chapter')!r}; "
                f"its settings are {', '.join(table)} (aelab/budgets.py)."
            )
        full, quick = table[name]
        return quick if self.quick else full

    def __repr__(self) -> str:
        mode = "quick" if self.quick else "full"
        rows = [f"{mode} mode: this run's budget (full / quick in aelab/budgets.py)"]
        width = max(map(len, self._table))
        for name, (full, quick) in self._table.items():
            used = quick if self.quick else full
            rows.append(f"  {name:<{width}}  {_show(used):>9}   ({_show(full)} / {_show(quick)})")
        return "\n".join(rows)


def _show(value: Any) -> str:
    if value is None:
        return "all"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    return str(value)


def budget(chapter: str) -> Budget:
    """The settings of ``chapter`` (the notebook's stem) for the mode this run is in."""
    if chapter not in BUDGETS:
        raise ValueError(
            f"chapter={chapter!r}: use the notebook's file name without .ipynb, one of "
            f"{sorted(BUDGETS)}."
        )
    return Budget(chapter, config.quick_mode())
