import sys

import pytest
import torch
from torch import nn

import aelab as ae
from aelab import train


def low_rank_data(n=512, d=20, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=g) @ torch.randn(k, d, generator=g)


def linear_ae(d=20, k=3, seed=0):
    ae.config.seed(seed)
    return ae.models.mlp_autoencoder((d, k), output="linear")


def test_fit_learns_and_records_history():
    x = low_rank_data()
    model = linear_ae()
    history = ae.fit(model, x, ae.losses.l2, epochs=30, batch_size=64, lr=1e-2, quiet=True)
    assert len(history.train) == len(history.seconds) == 30 and history.val == []
    assert history.train[-1] < 0.01 * history.train[0]
    assert history.total_seconds == pytest.approx(sum(history.seconds))


def test_same_seed_same_numbers_on_cpu():
    x = low_rank_data()
    runs = []
    for _ in range(2):
        model = linear_ae(seed=5)
        h = ae.fit(model, x, ae.losses.l2, epochs=3, batch_size=32, seed=7, quiet=True)
        runs.append((h.train, [p.detach().clone() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1], strict=True))
    other = ae.fit(linear_ae(seed=5), x, ae.losses.l2, epochs=3, batch_size=32, seed=8, quiet=True)
    assert other.train != runs[0][0]


def test_validation_and_tuple_batches_for_a_classifier():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(600, 2, generator=g)
    y = (x[:, 0] > 0).long()
    model = nn.Linear(2, 2)

    def cross_entropy(model, batch):
        inputs, labels = batch
        return nn.functional.cross_entropy(model(inputs), labels)

    h = ae.fit(
        model,
        (x[:500], y[:500]),
        cross_entropy,
        epochs=20,
        batch_size=50,
        lr=0.05,
        val_data=(x[500:], y[500:]),
        quiet=True,
    )
    assert len(h.val) == 20 and h.val[-1] < 0.3
    assert (model(x[500:]).argmax(1) == y[500:]).float().mean() > 0.95


def test_one_host_sync_per_epoch(monkeypatch):
    """Loss values stay on the device: .item() is called once per epoch, not per step."""
    calls = []
    real_item = torch.Tensor.item

    def counting_item(self):
        if sys._getframe(1).f_code.co_filename == train.__file__:  # not the optimiser's own
            calls.append(1)
        return real_item(self)

    monkeypatch.setattr(torch.Tensor, "item", counting_item)
    ae.fit(linear_ae(), low_rank_data(), ae.losses.l2, epochs=3, batch_size=16, quiet=True)
    assert len(calls) == 3  # 32 steps per epoch


def test_evaluate_weights_batches_by_size():
    x = low_rank_data(n=1003)
    model = linear_ae()
    whole = ae.losses.l2(model, x).item()
    assert ae.evaluate(model, x, ae.losses.l2, batch_size=100) == pytest.approx(whole, rel=1e-5)
    assert model.training  # evaluate restores the mode it found


def test_progress_bar_and_quiet(capsys):
    ae.fit(linear_ae(), low_rank_data(), ae.losses.l2, epochs=2, desc="demo")
    assert "demo" in capsys.readouterr().err
    ae.fit(linear_ae(), low_rank_data(), ae.losses.l2, epochs=2, quiet=True)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"epochs": 1, "batch_size": 0}, ValueError, "batch_size"),
        ({"epochs": 1, "batch_size": 10_000}, ValueError, "batch_size"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ae.fit(linear_ae(), low_rank_data(), ae.losses.l2, quiet=True, **kwargs)


def test_bad_data():
    with pytest.raises(TypeError, match="tensor or a tuple of tensors"):
        ae.fit(linear_ae(), [[1.0, 2.0]], ae.losses.l2, epochs=1, quiet=True)
    with pytest.raises(ValueError, match="different lengths"):
        ae.fit(linear_ae(), (torch.zeros(10, 20), torch.zeros(9)), ae.losses.l2, epochs=1)
    with pytest.raises(ValueError, match="empty"):
        ae.fit(linear_ae(), torch.zeros(0, 20), ae.losses.l2, epochs=1)


def test_a_loss_that_is_not_a_scalar_is_explained():
    def per_image(model, x):
        return ae.losses.squared_error(model(x), x)

    with pytest.raises(ValueError, match=r"scalar.*\.mean\(\)"):
        ae.fit(linear_ae(), low_rank_data(), per_image, epochs=1, quiet=True)


def test_divergence_is_reported():
    with pytest.raises(FloatingPointError, match="Lower the learning rate"):
        ae.fit(linear_ae(), 1e3 * low_rank_data(), ae.losses.l2, epochs=3, lr=1e12, quiet=True)


def test_scheduler_factory_gets_the_optimizer_and_the_number_of_steps():
    seen = {}

    def one_cycle(optimizer, total_steps):
        seen["optimizer"], seen["steps"] = optimizer, total_steps
        seen["scheduler"] = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=1e-2, total_steps=total_steps
        )
        return seen["scheduler"]

    x = low_rank_data()  # 512 rows: 8 steps of 64 per epoch
    ae.fit(linear_ae(), x, ae.losses.l2, epochs=3, batch_size=64, scheduler=one_cycle, quiet=True)
    assert isinstance(seen["optimizer"], torch.optim.Adam) and seen["steps"] == 24
    assert seen["scheduler"].last_epoch == 24  # stepped once per optimiser step
    assert seen["optimizer"].param_groups[0]["lr"] < 1e-4  # annealed to (almost) zero


def test_a_constructed_scheduler_is_stepped_every_step():
    model = linear_ae()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    ae.fit(
        model,
        low_rank_data(),
        ae.losses.l2,
        epochs=1,
        batch_size=128,
        optimizer=optimizer,
        scheduler=scheduler,
        quiet=True,
    )
    assert scheduler.last_epoch == 4 and optimizer.param_groups[0]["lr"] == pytest.approx(0.1 / 16)


def test_one_cycle_peaks_at_max_lr_and_anneals():
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = ae.train.one_cycle(0.5)(opt, 100)
    rates = []
    for _ in range(100):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert max(rates) == pytest.approx(0.5, rel=1e-3)
    assert rates[-1] < 1e-3 and rates[0] < 0.05
    with pytest.raises(ValueError, match="max_lr=0"):
        ae.train.one_cycle(0)
