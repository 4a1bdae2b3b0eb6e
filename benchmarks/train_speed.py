"""Seconds per training epoch: a conventional PyTorch loop against ``aelab.fit``.

    OMP_NUM_THREADS=1 python benchmarks/train_speed.py --epochs 2
    python benchmarks/train_speed.py --n-train 6000 --models vae --json speed.json

Why: ``aelab.fit`` keeps the whole data set on the device, shuffles it there and
reads the loss once per epoch (see ``src/aelab/train.py``). This script measures
what that buys against the loop most PyTorch code is written as (pytorch/examples
``vae/main.py``): a ``DataLoader`` over CPU tensors, ``.to(device)`` per batch and
``loss.item()`` per step. Both loops train the same architecture from the same
initial weights with the same loss, batch size and Adam, in one process, on
``aelab.config.device()``. Their epochs alternate (A B B A ...) so that other load
on the machine slows both alike. Each loop gets one untimed warm-up epoch; the
table reports the median of the timed epochs and the ratio conventional / fit
(above 1: ``fit`` is faster).

Models: a 784-400-20 VAE, the layer sizes of pytorch/examples (``ae.vae.elbo_loss()``), and the
784-1000-500-250-30 deep autoencoder of chapter 2 (``ae.losses.bce``), both at
batch size 128.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import aelab as ae

Loss = Callable[[nn.Module, torch.Tensor], torch.Tensor]

#: name -> (what it is, a function building the model, its loss, batch size)
MODELS: dict[str, tuple[str, Callable[[], nn.Module], Loss, int]] = {
    "vae": ("VAE 784-400-20", lambda: ae.vae.mlp_vae((784, 400, 20)), ae.vae.elbo_loss(), 128),
    "ae": (
        "AE 784-1000-500-250-30",
        lambda: ae.models.mlp_autoencoder((784, 1000, 500, 250, 30)),
        ae.losses.bce,
        128,
    ),
}


@dataclass
class Result:
    model: str
    batch_size: int
    conventional_seconds: list[float]
    fit_seconds: list[float]
    conventional_median: float
    fit_median: float
    ratio: float  # conventional / fit: above 1 means fit is faster


def sync(device: torch.device) -> None:
    """Wait for the device to finish, so that a clock reading covers the work."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def conventional_epoch(
    model: nn.Module,
    loader: DataLoader,
    loss: Loss,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
) -> float:
    """One epoch as pytorch/examples vae/main.py writes it; returns the mean loss."""
    model.train()
    train_loss = 0.0
    for (data,) in loader:
        data = data.to(device)
        optimizer.zero_grad()
        value = loss(model, data)
        value.backward()
        train_loss += value.item()
        optimizer.step()
    return train_loss / len(loader)


def compare(
    name: str, x_train: torch.Tensor, epochs: int, device: torch.device, seed: int = 0
) -> Result:
    """Time ``epochs`` alternating epochs of both loops on the model called ``name``."""
    label, build, loss, batch_size = MODELS[name]
    ae.config.seed(seed)
    conv_model = build().to(device)
    fit_model = build().to(device)
    fit_model.load_state_dict(conv_model.state_dict())  # the same initial weights
    conv_opt = torch.optim.Adam(conv_model.parameters(), lr=1e-3)
    fit_opt = torch.optim.Adam(fit_model.parameters(), lr=1e-3)
    loader = DataLoader(
        TensorDataset(x_train.cpu()),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    x_device = x_train.to(device)  # fit's data lives on the device, put there once

    def epoch_seconds(loop: str, epoch: int) -> float:
        sync(device)
        start = time.perf_counter()
        if loop == "conventional":
            conventional_epoch(conv_model, loader, loss, conv_opt, device)
        else:
            ae.fit(
                fit_model,
                x_device,
                loss,
                epochs=1,
                batch_size=batch_size,
                optimizer=fit_opt,
                seed=seed + epoch,  # a fresh shuffle every epoch
                device=device,
                quiet=True,
            )
        sync(device)
        return time.perf_counter() - start

    times: dict[str, list[float]] = {"conventional": [], "fit": []}
    for epoch in range(epochs + 1):  # epoch 0: untimed warm-up (allocator, Adam state)
        order = ["conventional", "fit"] if epoch % 2 else ["fit", "conventional"]
        for loop in order:
            seconds = epoch_seconds(loop, epoch)
            if epoch > 0:
                times[loop].append(seconds)
    conv, fit = statistics.median(times["conventional"]), statistics.median(times["fit"])
    return Result(label, batch_size, times["conventional"], times["fit"], conv, fit, conv / fit)


def run(models: Sequence[str] = ("vae", "ae"), epochs: int = 2, n_train: int | None = None) -> dict:
    """Benchmark ``models`` and return the numbers as a JSON-ready dict."""
    device = ae.config.device()
    x_train = ae.data.mnist(n_train=n_train, device="cpu").train.x
    results = [compare(name, x_train, epochs, device) for name in models]
    return {
        "device": ae.config.device_name(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "n_train": len(x_train),
        "epochs": epochs,
        "results": [asdict(r) for r in results],
    }


def markdown(report: dict) -> str:
    """The report as a Markdown table, with the set-up above it."""
    lines = [
        f"{report['device']}, {report['threads']} thread(s), torch {report['torch']}, "
        f"{report['n_train']} images, median of {report['epochs']} epoch(s) after 1 warm-up",
        "",
        "| model | batch | conventional s/epoch | fit s/epoch | conventional / fit |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['model']} | {r['batch_size']} | {r['conventional_median']:.2f} "
            f"| {r['fit_median']:.2f} | {r['ratio']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per loop")
    parser.add_argument("--n-train", type=int, default=None, help="first N training images")
    parser.add_argument("--models", default="vae,ae", help=f"comma-separated, of {list(MODELS)}")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads(N)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        parser.error(f"--models {args.models!r}: choose from {list(MODELS)}")
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    report = run(models, args.epochs, args.n_train)
    print(markdown(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
