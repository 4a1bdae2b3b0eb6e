"""What a student can type wrong into the public API gets an error of the right type whose
message names the argument (with what was given) and the fix: never a traceback from deep
inside PyTorch, never a silently wrong number. One case a line, grouped by module."""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import aelab as ae
from aelab.data import MNIST_FILES, DataError

NO_CUDA = not torch.cuda.is_available()
NO_MPS = not torch.backends.mps.is_available()


def mlp():
    return ae.models.mlp_autoencoder((20, 4, 20))


def x(n=200, d=20, dtype=torch.float32):
    return torch.rand(n, d, generator=torch.Generator().manual_seed(0), dtype=dtype)


def with_nan(t):
    t = t.clone()
    t[3, 5] = float("nan")
    return t


def with_inf(t):
    t = t.clone()
    t[0, 0] = float("inf")
    return t


def fit(**kwargs):
    args = {"model": mlp(), "data": x(), "loss": ae.losses.l2, "epochs": 1, "quiet": True}
    args.update(kwargs)
    return ae.fit(args.pop("model"), args.pop("data"), args.pop("loss"), **args)


def evaluate(**kwargs):
    args = {"model": mlp(), "data": x(), "loss": ae.losses.l2}
    args.update(kwargs)
    return ae.train.evaluate(args.pop("model"), args.pop("data"), args.pop("loss"), **args)


def vae_fit(binarize):
    vae = ae.vae.mlp_vae((20, 8, 2))
    return ae.fit(vae, 255 * x(), ae.vae.elbo_loss(binarize=binarize), epochs=1, quiet=True)


def env(name, value, call):
    """Call ``call`` with the environment variable set (restored afterwards)."""

    def run():
        old = os.environ.get(name)
        os.environ[name] = value
        try:
            return call()
        finally:
            if old is None:
                del os.environ[name]
            else:
                os.environ[name] = old

    return run


def rank_deficient():
    a = np.random.default_rng(0).standard_normal((10, 3))
    a[:, 2] = a[:, 0] + a[:, 1]
    return a


FULL = np.random.default_rng(1).standard_normal((10, 3))
UINT8 = torch.full((8, 8), 200, dtype=torch.uint8)
FLOATS = torch.full((8, 8), 0.8)

#: (id, call, exception type, strings the message must contain: the argument and the fix)
CASES = {
    "config": [
        (
            "device gpu",
            lambda: ae.config.resolve_device("gpu"),
            ValueError,
            ["device='gpu'", "Use 'cpu', 'cuda'"],
        ),
        (
            "device tpu",
            lambda: ae.config.resolve_device("tpu"),
            ValueError,
            ["device='tpu'", "leave device=None"],
        ),
        ("device int", lambda: ae.config.resolve_device(0), TypeError, ["device=0", "Use 'cpu'"]),
        (
            "device float",
            lambda: ae.config.resolve_device(1.5),
            TypeError,
            ["device=1.5", "a string or a torch.device"],
        ),
        (
            "device meta",
            lambda: ae.config.resolve_device(torch.device("meta")),
            ValueError,
            ["device=device(type='meta')", "Use 'cpu'"],
        ),
        pytest.param(
            "device cuda",
            lambda: ae.config.resolve_device("cuda"),
            ValueError,
            ["device='cuda'", "sees no CUDA device", "Use 'cpu'"],
            marks=pytest.mark.skipif(not NO_CUDA, reason="has CUDA"),
        ),
        pytest.param(
            "device cuda:1",
            lambda: ae.config.resolve_device("cuda:1"),
            ValueError,
            ["device='cuda:1'", "Use 'cpu'"],
            marks=pytest.mark.skipif(not NO_CUDA, reason="has CUDA"),
        ),
        pytest.param(
            "device mps",
            lambda: ae.config.resolve_device("mps"),
            ValueError,
            ["device='mps'", "Use 'cpu'"],
            marks=pytest.mark.skipif(not NO_MPS, reason="has MPS"),
        ),
        (
            "AELAB_DEVICE gpu",
            env("AELAB_DEVICE", "gpu", ae.config.device),
            ValueError,
            ["AELAB_DEVICE='gpu'", "unset AELAB_DEVICE"],
        ),
        pytest.param(
            "AELAB_DEVICE cuda",
            env("AELAB_DEVICE", "cuda", ae.config.device),
            ValueError,
            ["AELAB_DEVICE='cuda'", "unset AELAB_DEVICE"],
            marks=pytest.mark.skipif(not NO_CUDA, reason="has CUDA"),
        ),
        (
            "AELAB_QUICK maybe",
            env("AELAB_QUICK", "maybe", ae.config.quick_mode),
            ValueError,
            ["AELAB_QUICK='maybe'", "use 1"],
        ),
        ("seed float", lambda: ae.config.seed(1.5), TypeError, ["value=1.5", "whole number"]),
        ("seed negative", lambda: ae.config.seed(-1), ValueError, ["value=-1", "from 0"]),
    ],
    "train": [
        pytest.param(
            "fit device cuda",
            lambda: fit(device="cuda"),
            ValueError,
            ["device='cuda'", "Use 'cpu'"],
            marks=pytest.mark.skipif(not NO_CUDA, reason="has CUDA"),
        ),
        ("fit device gpu", lambda: fit(device="gpu"), ValueError, ["device='gpu'", "Use 'cpu'"]),
        ("fit device int", lambda: fit(device=1), TypeError, ["device=1", "Use 'cpu'"]),
        ("fit epochs float", lambda: fit(epochs=2.0), TypeError, ["epochs=2.0", "epochs=2"]),
        ("fit epochs zero", lambda: fit(epochs=0), ValueError, ["epochs=0", "from 1"]),
        ("fit epochs bool", lambda: fit(epochs=True), TypeError, ["epochs=True", "whole number"]),
        ("fit epochs string", lambda: fit(epochs="3"), TypeError, ["epochs='3'", "whole number"]),
        (
            "fit batch_size float",
            lambda: fit(batch_size=32.0),
            TypeError,
            ["batch_size=32.0", "batch_size=32"],
        ),
        (
            "fit batch_size zero",
            lambda: fit(batch_size=0),
            ValueError,
            ["batch_size=0", "from 1 to 200"],
        ),
        (
            "fit batch_size too big",
            lambda: fit(batch_size=10**6),
            ValueError,
            ["batch_size=1000000", "to 200"],
        ),
        ("fit seed float", lambda: fit(seed=0.5), TypeError, ["seed=0.5", "whole number"]),
        ("fit seed negative", lambda: fit(seed=-1), ValueError, ["seed=-1", "from 0"]),
        ("fit lr negative", lambda: fit(lr=-1e-3), ValueError, ["lr=-0.001", "lr=1e-3"]),
        ("fit lr nan", lambda: fit(lr=float("nan")), ValueError, ["lr=nan", "positive number"]),
        ("fit lr string", lambda: fit(lr="1e-3"), TypeError, ["lr='1e-3'", "lr=1e-3"]),
        (
            "fit weight_decay negative",
            lambda: fit(weight_decay=-0.1),
            ValueError,
            ["weight_decay=-0.1", ">= 0"],
        ),
        (
            "fit float64 data",
            lambda: fit(data=x(dtype=torch.float64)),
            TypeError,
            ["data is torch.float64", "data.to(torch.float32)"],
        ),
        (
            "fit float64 val_data",
            lambda: fit(val_data=x(dtype=torch.float64)),
            TypeError,
            ["val_data is torch.float64", "val_data.to(torch.float32)"],
        ),
        (
            "fit NaN data",
            lambda: fit(data=with_nan(x())),
            ValueError,
            ["data contains 1 NaN", "drop those rows"],
        ),
        (
            "fit inf data",
            lambda: fit(data=with_inf(x())),
            ValueError,
            ["data contains 0 NaN and 1 infinite", "drop those rows"],
        ),
        (
            "fit NaN val_data",
            lambda: fit(val_data=with_nan(x())),
            ValueError,
            ["val_data contains 1 NaN", "drop those rows"],
        ),
        (
            "fit metric as loss",
            lambda: fit(loss=ae.losses.squared_error),
            TypeError,
            ["loss=squared_error", "ae.losses.l2"],
        ),
        (
            "fit nn.MSELoss as loss",
            lambda: fit(loss=nn.MSELoss()),
            TypeError,
            ["loss=nn.MSELoss()", "lambda model, x"],
        ),
        (
            "fit F.mse_loss as loss",
            lambda: fit(loss=F.mse_loss),
            TypeError,
            ["loss=mse_loss", "lambda model, x: mse_loss(model(x), x)"],
        ),
        (
            "fit psnr as loss",
            lambda: fit(loss=ae.noise.psnr),
            TypeError,
            ["loss=psnr", "ae.losses.l2"],
        ),
        ("fit string as loss", lambda: fit(loss="l2"), TypeError, ["loss='l2'", "ae.losses.l2"]),
        (
            "fit BCE on 0-255 data",
            lambda: fit(data=255 * x(), loss=ae.losses.bce),
            ValueError,
            ["data lies in [", "loss=bce", "x / 255"],
        ),
        (
            "fit VAE on 0-255, binarize=False",
            lambda: vae_fit(binarize=False),
            ValueError,
            ["data lies in [", "x / 255"],
        ),
        (
            "fit VAE on 0-255, binarize=True",
            lambda: vae_fit(binarize=True),
            ValueError,
            ["data lies in [", "x / 255"],
        ),
        (
            "fit numpy data",
            lambda: fit(data=x().numpy()),
            TypeError,
            ["data must be a tensor", "torch.as_tensor(data)"],
        ),
        (
            "fit model without parameters",
            lambda: fit(model=nn.Identity()),
            ValueError,
            ["model=Identity", "nn.Linear"],
        ),
        (
            "evaluate device gpu",
            lambda: evaluate(device="gpu"),
            ValueError,
            ["device='gpu'", "Use 'cpu'"],
        ),
        (
            "evaluate batch_size float",
            lambda: evaluate(batch_size=100.0),
            TypeError,
            ["batch_size=100.0", "batch_size=100"],
        ),
        (
            "evaluate NaN data",
            lambda: evaluate(data=with_nan(x())),
            ValueError,
            ["data contains 1 NaN", "drop those rows"],
        ),
        (
            "evaluate metric as loss",
            lambda: evaluate(loss=ae.losses.gaussian_nll),
            TypeError,
            ["loss=gaussian_nll", "ae.losses.l2"],
        ),
        (
            "evaluate float64 data",
            lambda: evaluate(data=x(dtype=torch.float64)),
            TypeError,
            ["data is torch.float64", "data.to(torch.float32)"],
        ),
        ("one_cycle max_lr", lambda: ae.train.one_cycle(0), ValueError, ["max_lr=0", "3e-3"]),
        (
            "one_cycle pct_start",
            lambda: ae.train.one_cycle(1e-3, pct_start=1.0),
            ValueError,
            ["pct_start=1.0", "0.3"],
        ),
    ],
    "data": [
        (
            "mnist validation float",
            lambda: ae.data.mnist(validation=1000.0),
            TypeError,
            ["validation=1000.0", "validation=1000"],
        ),
        (
            "mnist validation negative",
            lambda: ae.data.mnist(validation=-1),
            ValueError,
            ["validation=-1", "from 0 to 59999"],
        ),
        (
            "mnist n_train zero",
            lambda: ae.data.mnist(n_train=0),
            ValueError,
            ["n_train=0", "from 1 to 60000"],
        ),
        (
            "mnist n_train float",
            lambda: ae.data.mnist(n_train=512.0),
            TypeError,
            ["n_train=512.0", "n_train=512"],
        ),
        (
            "mnist device gpu",
            lambda: ae.data.mnist(device="gpu"),
            ValueError,
            ["device='gpu'", "Use 'cpu'"],
        ),
        (
            "glyphs device gpu",
            lambda: ae.data.glyphs("ab", device="gpu"),
            ValueError,
            ["device='gpu'", "Use 'cpu'"],
        ),
    ],
    "models": [
        (
            "conv autoencoder on flat images",
            lambda: ae.conv.conv_autoencoder(8)(x(4, 784)),
            ValueError,
            ["(N, *(1, 28, 28))", "mnist(flat=False)", "x.view(-1, *(1, 28, 28))"],
        ),
        (
            "MLP autoencoder on 2-d images",
            lambda: mlp()(torch.rand(4, 1, 4, 5)),
            ValueError,
            ["(N, *(20,))", "mnist(flat=True)"],
        ),
        (
            "autoencoder on 8-bit images",
            lambda: mlp()(torch.zeros(4, 20, dtype=torch.uint8)),
            TypeError,
            ["torch.uint8", "x.float() / 255"],
        ),
        (
            "VAE on 2-d images",
            lambda: ae.vae.mlp_vae((20, 8, 2))(torch.rand(4, 1, 4, 5)),
            ValueError,
            ["(4, 1, 4, 5)", "mnist(flat=True)"],
        ),
        (
            "VAE log_likelihood k float",
            lambda: ae.vae.log_likelihood(ae.vae.mlp_vae((20, 8, 2)), x(4), k=10.0),
            TypeError,
            ["k=10.0", "k=10"],
        ),
        (
            "VAE log_likelihood chunk zero",
            lambda: ae.vae.log_likelihood(ae.vae.mlp_vae((20, 8, 2)), x(4), chunk=0),
            ValueError,
            ["chunk=0", "from 1"],
        ),
    ],
    "losses": [
        (
            "bce on a linear output",
            lambda: ae.losses.bce(ae.models.mlp_autoencoder((20, 4, 20), output="linear"), x()),
            ValueError,
            ["linear output", "output='sigmoid'", "ae.losses.l2"],
        ),
        (
            "squared_error on integers",
            lambda: ae.losses.squared_error(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3)),
            TypeError,
            ["torch.int64", "x.float() / 255"],
        ),
        (
            "squared_error shapes",
            lambda: ae.losses.squared_error(torch.zeros(2, 784), torch.zeros(2, 1, 28, 28)),
            ValueError,
            ["(2, 784)", "(2, 1, 28, 28)", "must match"],
        ),
    ],
    "noise": [
        (
            "gaussian level NaN",
            lambda: ae.noise.gaussian(x(), float("nan")),
            ValueError,
            ["level=nan", "finite level >= 0"],
        ),
        (
            "gaussian level negative",
            lambda: ae.noise.gaussian(x(), -0.1),
            ValueError,
            ["level=-0.1", "level >= 0"],
        ),
        (
            "gaussian level string",
            lambda: ae.noise.gaussian(x(), "0.1"),
            TypeError,
            ["level='0.1'", "give a number"],
        ),
        (
            "masking level NaN",
            lambda: ae.noise.masking(x(), float("nan")),
            ValueError,
            ["level=nan", "[0, 1]"],
        ),
        (
            "salt_and_pepper level 1.5",
            lambda: ae.noise.salt_and_pepper(x(), 1.5),
            ValueError,
            ["level=1.5", "[0, 1]"],
        ),
        (
            "denoising_loss unknown corruption",
            lambda: ae.noise.denoising_loss("blur", 0.1),
            ValueError,
            ["corrupt='blur'", "choose one of"],
        ),
        (
            "psnr 8-bit against float",
            lambda: ae.noise.psnr(UINT8, FLOATS),
            TypeError,
            ["estimate is torch.uint8", "x.float() / 255"],
        ),
        (
            "psnr float against 8-bit",
            lambda: ae.noise.psnr(FLOATS, UINT8.numpy()),
            TypeError,
            ["clean is torch.uint8", "x.float() / 255"],
        ),
        (
            "psnr 8-bit with data_range 1",
            lambda: ae.noise.psnr(UINT8, UINT8 - 3),
            ValueError,
            ["data_range=1.0", "data_range=255"],
        ),
        (
            "psnr data_range zero",
            lambda: ae.noise.psnr(FLOATS, FLOATS, data_range=0),
            ValueError,
            ["data_range=0", "1.0"],
        ),
        (
            "psnr shapes",
            lambda: ae.noise.psnr(FLOATS, FLOATS[:4]),
            ValueError,
            ["(8, 8) and (4, 8)", "differ in shape"],
        ),
    ],
    "pca": [
        (
            "principal_angles rank-deficient a",
            lambda: ae.pca.principal_angles(rank_deficient(), FULL),
            ValueError,
            ["a has 3 columns but rank 2", "scipy.linalg.orth(a)"],
        ),
        (
            "principal_angles rank-deficient b",
            lambda: ae.pca.principal_angles(FULL, rank_deficient()),
            ValueError,
            ["b has 3 columns but rank 2", "scipy.linalg.orth(b)"],
        ),
        (
            "principal_angles rows differ",
            lambda: ae.pca.principal_angles(FULL, FULL[:5]),
            ValueError,
            ["(10, 3) and (5, 3)", "same number of rows"],
        ),
    ],
}


def _param(module, case):
    """A pytest param named after its module and case (keeping a case's skip marks)."""
    values, marks = (case.values, case.marks) if hasattr(case, "marks") else (case, ())
    return pytest.param(*values, id=f"{module}: {values[0]}", marks=marks)


PARAMS = [_param(module, case) for module, cases in CASES.items() for case in cases]


def test_there_are_at_least_60_cases():
    assert len(PARAMS) >= 60


@pytest.mark.parametrize("name, call, error, needles", PARAMS)
def test_a_bad_input_is_named_with_its_fix(name, call, error, needles):
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert raised.type is error, f"{raised.type.__name__}: {message}"
    missing = [needle for needle in needles if needle not in message]
    assert not missing, f"{name}: {missing} not in {message!r}"


def test_nan_in_the_data_is_not_blamed_on_the_learning_rate():
    with pytest.raises(ValueError) as raised:
        fit(data=with_nan(x()))
    assert "NaN" in str(raised.value) and "Lower the learning rate" not in str(raised.value)


def test_evaluate_on_a_model_without_parameters_computes_where_the_data_are():
    assert evaluate(model=nn.Identity()) == 0.0


def test_the_same_device_message_for_an_argument_and_for_the_environment(monkeypatch):
    with pytest.raises(ValueError) as argument:
        ae.config.resolve_device("gpu")
    monkeypatch.setenv("AELAB_DEVICE", "gpu")
    with pytest.raises(ValueError) as environment:
        ae.config.device()
    assert str(argument.value).replace("device=", "AELAB_DEVICE=").replace(
        "leave AELAB_DEVICE=None", "unset AELAB_DEVICE"
    ) == str(environment.value)


def test_aelab_data_that_is_a_file(tmp_path, monkeypatch):
    file = tmp_path / "data.txt"
    file.write_text("not a folder")
    monkeypatch.setenv("AELAB_DATA", str(file))
    with pytest.raises(NotADirectoryError) as raised:
        ae.data.mnist(device="cpu")
    assert str(file) in str(raised.value) and "Point AELAB_DATA at a directory" in str(raised.value)


def test_a_missing_mnist_file_is_named(tmp_path, monkeypatch):
    source = Path(os.environ.get("AELAB_DATA", "/nonexistent")) / "MNIST" / "raw"
    present = {name: next(source.glob(f"{name}*"), None) for name in MNIST_FILES}
    if not all(present.values()):
        pytest.skip("needs the MNIST files in AELAB_DATA")
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    missing = "t10k-labels-idx1-ubyte"
    for name, path in present.items():
        if name != missing:
            shutil.copy(path, raw / path.name)
    monkeypatch.setenv("AELAB_DATA", str(tmp_path))
    with pytest.raises(DataError) as raised:
        ae.data.mnist(device="cpu", download=False)
    assert f"{missing}(.gz) is missing" in str(raised.value) and "AELAB_DATA" in str(raised.value)
