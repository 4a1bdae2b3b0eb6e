"""Device safety without a GPU: code that runs on the CPU must not break on CUDA or Apple MPS.

CI has no GPU, so a bug that shows only there would first meet a student on
Colab. Two kinds of check catch the usual ones here:

**A static check** (``tests/device_lint.py``) over ``src/aelab`` and the code
cells of every chapter. A value counts as "on the CPU" only where the code shows
it: a chain with ``.cpu()``, ``.numpy()``, ``.item()`` or ``.tolist()``,
``torch.from_numpy``, a ``torch`` factory (``torch.zeros``, ``torch.randn``, ...)
without ``device=``, a torch operation on such values, a new ``nn.Module``
(``SomeClass(...)``), or a name every assignment of which (in its function, or
in the notebook) is one of these. The rules:

1. ``numpy``: ``t.numpy()`` and ``np.asarray(t)`` / ``np.array(t)`` of a tensor
   that may be on a GPU raise there ("can't convert cuda:0 device type tensor to
   numpy"). Write ``t.cpu().numpy()``: on a CPU tensor ``.cpu()`` returns the
   tensor itself, at no cost. (``.tolist()`` and ``.item()`` copy to the host
   themselves and are not flagged.)
2. ``generator``: PyTorch draws with a generator only on the generator's own
   device, so ``torch.rand(..., device=x.device, generator=torch.Generator())``
   and ``torch.bernoulli(x, generator=cpu_generator)`` raise for ``x`` on a GPU.
   Flagged: a CPU generator in a torch draw on a device, and a generator passed
   into a function (it may live anywhere) used in a torch draw on a device. aelab
   draws through ``aelab._rng``, which draws where the generator lives and moves
   the numbers, so ``ae.vae.log_likelihood(..., generator=torch.Generator())``
   works on every device and gives the same numbers on each.
3. ``constant``: a tensor built on the CPU (a factory without ``device=``, or
   ``torch.from_numpy``) handed to a model (a call of ``model``, ``encoder``,
   ``decoder``, ``net``, ``vae``, ``clf``... or ``self.<that>``) or to a torch
   operation together with a tensor evidently on a device (``.to(device)``,
   ``device=device``). A 0-d ``torch.tensor(2.0)`` is not flagged: PyTorch lets
   it mix with tensors on any device.
4. ``float64`` (Apple MPS): MPS has no float64, so ``.double()``,
   ``.to(torch.float64)`` or a factory with ``dtype=torch.float64`` and
   ``device=`` on a tensor that may be on a device raise there. Convert after
   ``.cpu()``. Not applied to ``aelab/exercises``: the checkers build their own
   inputs on the CPU and bring results there before comparing.

A line may opt out with a comment ``# device-ok: <why>``; none does so far.
The check cannot see through function calls: ``ae.data.mnist()`` returns device
tensors, ``photos.random_crops`` CPU ones, and the check treats both as unknown.

**Meta-device tests** run the training paths (models, losses, corruptions,
draws) with the model and data on PyTorch's ``meta`` device, which carries a
device but no data: a CPU tensor created inside and mixed in raises "Tensor on
device cpu is not on the expected device meta", as it would on a GPU. (Nearly
every operation checks this; a convolution with meta weights accepts a CPU input,
which the stand-in GPU below catches.)

**A stand-in GPU** (``tools/fake_gpu.py``, ``make fake-gpu-check``, tested in
``tests/test_fake_gpu.py``) runs whole chapters with aelab on a tagged device
``cpu:0`` and sees through function calls, where this static check cannot.
"""

from pathlib import Path

import device_lint
import pytest
import scripts
import torch
from torch import nn

import aelab as ae
from aelab import _rng

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "src" / "aelab").rglob("*.py"))
CHAPTERS = scripts.chapters()
META = torch.device("meta")

#: (rule, code that breaks on a GPU, the fixed code)
CASES = [
    (
        "numpy",
        "def f(model, x):\n    return model(x).numpy()",
        "def f(model, x):\n    return model(x).cpu().numpy()",
    ),
    (
        "numpy",
        "def f(x):\n    return np.asarray(x.detach())",
        "def f(x):\n    return np.asarray(x.detach().cpu())",
    ),
    (
        "numpy",
        "x = ae.data.mnist().test.x\nx[:2].numpy()",
        "x = ae.data.mnist().test.x.cpu()\nx[:2].numpy()",
    ),
    (
        "generator",
        "g = torch.Generator().manual_seed(0)\nz = torch.randn(3, device=device, generator=g)",
        "g = torch.Generator(device)\nz = torch.randn(3, device=device, generator=g)",
    ),
    (
        "generator",
        "def f(x):\n    return torch.bernoulli(x, generator=torch.Generator())",
        "def f(x):\n    return torch.bernoulli(x, generator=torch.Generator(x.device))",
    ),
    (
        "generator",
        "def f(x, g):\n    return torch.rand(x.shape, generator=g, device=x.device)",
        "def f(x, g):\n    return _rng.rand(x.shape, g, x.device)",
    ),
    (
        "constant",
        "def f(decoder, n):\n    return decoder(torch.randn(n, 2))",
        "def f(decoder, n):\n    return decoder(torch.randn(n, 2, device=ae.config.device()))",
    ),
    (
        "constant",
        "def f(x):\n    m = torch.ones(3)\n    return torch.where(x.to(device) > 0, m, 0)",
        "def f(x):\n    m = torch.ones(3, device=x.device)\n    return torch.where(x > 0, m, 0)",
    ),
    (
        "float64",
        "def f(x):\n    return x.double().mean()",
        "def f(x):\n    return x.cpu().double().mean()",
    ),
    (
        "float64",
        "def f(x):\n    return torch.zeros(3, device=x.device, dtype=torch.float64)",
        "def f(x):\n    return torch.zeros(3, dtype=torch.float64)",
    ),
]


@pytest.mark.parametrize(("rule", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_flags_the_bug_and_passes_the_fix(rule, bad, good):
    assert [f.rule for f in device_lint.check(bad)] == [rule], bad
    assert device_lint.check(good) == [], good


def test_a_device_ok_comment_silences_one_line_and_only_that_line():
    code = "def f(x):\n    a = x.numpy()  # device-ok: x is a CPU tensor here\n    return x.numpy()"
    assert [f.line for f in device_lint.check(code)] == [3]


def test_host_values_are_not_flagged():
    code = """
import numpy as np, torch
def f(model, x):
    a = torch.from_numpy(np.zeros(3)).numpy()
    b = model(x).detach().cpu()
    c = [t.numpy() for t in b]
    d = torch.tensor([1.0, 2.0]).double().numpy()
    e = model(x) * torch.tensor(2.0)
    return a, b.numpy(), c, d, e, x.tolist()
"""
    assert device_lint.check(code) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT / "src")))
def test_the_package_is_device_safe(path):
    found = device_lint.check(path.read_text(), float64="exercises" not in path.parts)
    assert not found, "\n".join(f"{path.name}:{f.line} [{f.rule}] {f.message}" for f in found)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_chapters_are_device_safe(path):
    found = device_lint.check_notebook(path)
    assert not found, "\n".join(
        f"{path.name} cell {cell} line {line} [{f.rule}] {f.message}" for cell, line, f in found
    )


# --- meta-device tests: the training paths create nothing on the CPU ------------------------


@pytest.fixture(autouse=True)
def _no_distribution_checks():
    """torch.distributions checks its arguments' values, which meta tensors do not have."""
    torch.distributions.Distribution.set_default_validate_args(False)
    yield
    torch.distributions.Distribution.set_default_validate_args(True)


def _on_meta(module: nn.Module) -> nn.Module:
    return module.to(META)


@pytest.mark.parametrize(
    ("build", "loss", "shape"),
    [
        (lambda: ae.models.mlp_autoencoder((784, 64, 8)), ae.losses.l2, (4, 784)),
        (lambda: ae.models.mlp_autoencoder((784, 64, 8)), ae.losses.bce, (4, 784)),
        (lambda: ae.vae.mlp_vae((784, 64, 2)), ae.vae.elbo_loss(), (4, 784)),
        (
            lambda: ae.models.mlp_autoencoder((784, 32)),
            ae.noise.denoising_loss("masking", 0.3),
            (4, 784),
        ),
        (
            lambda: ae.models.mlp_autoencoder((784, 32)),
            ae.sampling.denoising_bce(0.2, walkback=1),
            (4, 784),
        ),
        (
            lambda: ae.stacked.layer_autoencoder(784, 32, first=True, last=False),
            ae.stacked.layer_loss(0.3),
            (4, 784),
        ),
        (lambda: ae.conv.conv_autoencoder(8), ae.losses.l2, (4, 1, 28, 28)),
        (
            lambda: ae.models.mlp_autoencoder((784, 32), code_activation=nn.Sigmoid),
            ae.sparsity.sparse_l2("l1_activations", 0.1),
            (4, 784),
        ),
    ],
)
def test_a_training_step_runs_on_the_meta_device(build, loss, shape):
    model = _on_meta(build())
    value = loss(model, torch.rand(shape, device=META))
    value.backward()
    assert value.device == META and value.ndim == 0


def test_the_unet_and_the_classifier_run_on_the_meta_device():
    unet = _on_meta(ae.unet.UNet(channels=8, levels=2))
    assert unet(torch.rand(2, 1, 16, 16, device=META)).device == META
    clf = _on_meta(ae.classifier.Classifier((784, 32, 10)))
    x, y = torch.rand(4, 784, device=META), torch.zeros(4, dtype=torch.long, device=META)
    assert ae.classifier.binarized_cross_entropy(clf, (x, y)).device == META


def test_vae_draws_with_a_cpu_generator_land_on_the_models_device():
    vae = _on_meta(ae.vae.mlp_vae((784, 32, 2)))
    assert vae.sample(3, generator=torch.Generator().manual_seed(0)).device == META
    x = torch.rand(2, 784, device=META)
    ll = ae.vae.log_likelihood(vae, x, k=4, chunk=2, generator=torch.Generator().manual_seed(0))
    assert ll.device == META and ll.shape == (2,)


def test_chain_steps_and_corruptions_stay_on_the_device():
    model = _on_meta(ae.models.mlp_autoencoder((784, 16)))
    x = torch.zeros(3, 784, device=META)
    x_next, p = ae.sampling.chain_step(model, x, 0.1)
    assert x_next.device == p.device == META
    g = torch.Generator().manual_seed(0)  # drawn on the CPU, moved to the data's device
    for corrupt in ae.noise.CORRUPTIONS.values():
        assert corrupt(x, 0.2, g).device == META
    assert ae.data.binarize_dynamic(x).device == META


def test_draws_with_a_generator_are_the_numbers_it_gives_on_its_own_device():
    """On the CPU the helpers change nothing: the same numbers as torch's own call."""
    x = torch.rand(4, 10)
    ours = ae.noise.gaussian(x, 0.5, torch.Generator().manual_seed(3))
    torch_own = x + 0.5 * torch.randn(x.shape, generator=torch.Generator().manual_seed(3))
    assert torch.equal(ours, torch_own)
    p = torch.full((1000,), 0.3)
    a = _rng.bernoulli(p, torch.Generator().manual_seed(1))
    assert torch.equal(a, torch.bernoulli(p, generator=torch.Generator().manual_seed(1)))
    assert _rng.rand((2, 3), None, META).device == META  # no generator: the device's own
