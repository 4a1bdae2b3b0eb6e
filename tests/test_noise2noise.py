import pytest
import torch

from aelab import noise, photos, train, unet
from aelab import noise2noise as n2n


def gaussian(sigma):
    return lambda x, g: noise.gaussian(x, sigma, g)


def test_training_pairs_have_independent_noise_of_zero_mean():
    clean = torch.rand(64, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    g = torch.Generator().manual_seed(1)
    x, y = n2n.training_pair(clean, gaussian(0.1), "clean", g)
    assert torch.equal(y, clean) and (x - clean).std().item() == pytest.approx(0.1, rel=0.05)
    x, y = n2n.training_pair(clean, gaussian(0.1), "noisy", g)
    a, b = (x - clean).flatten(), (y - clean).flatten()
    assert abs(torch.corrcoef(torch.stack([a, b]))[0, 1].item()) < 0.03
    assert abs(b.mean().item()) < 0.003 and b.std().item() == pytest.approx(0.1, rel=0.05)
    biased = lambda x, gen: noise.gaussian(x, 0.1, gen) + 0.5  # noqa: E731
    x, y = n2n.training_pair(clean, gaussian(0.1), "noisy", g, target_noise=biased)
    assert abs((x - clean).mean().item()) < 0.003
    assert (y - clean).mean().item() == pytest.approx(0.5, abs=0.003)
    with pytest.raises(ValueError, match="choose one of"):
        n2n.training_pair(clean, gaussian(0.1), "blurry", g)


def test_denoise_pads_odd_sizes_and_keeps_the_shape():
    net = unet.UNet(1, 4, 2)
    image = torch.rand(1, 37, 50)
    out = n2n.denoise(net, image)
    assert out.shape == image.shape
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        n2n.denoise(net, image[0])


@pytest.mark.parametrize("target", ["clean", "noisy"])
def test_a_short_training_run_denoises_and_is_reproducible(target):
    images = [photos.center_crop(im, 96) for im in photos.load(("camera", "coins"))]
    sigma = 0.2
    test = images[0]
    noisy = noise.gaussian(test, sigma, torch.Generator().manual_seed(5))
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        net = unet.UNet(1, 8, 2)
        history = n2n.train_denoiser(
            net,
            images,
            gaussian(sigma),
            target,
            steps=60,
            batch_size=8,
            crop=32,
            lr=3e-3,
            log_every=20,
            device="cpu",
            quiet=True,
        )
        runs.append(n2n.denoise(net, noisy))
    assert history.steps == [20, 40, 60] and history.seconds > 0
    assert torch.equal(runs[0], runs[1])
    assert noise.psnr(runs[0].clamp(0, 1), test) > noise.psnr(noisy, test) + 1.0


def test_training_settings_are_checked():
    net = unet.UNet(1, 4, 2)
    images = [torch.rand(1, 32, 32)]
    for kwargs, message in [
        ({"loss": "huber"}, "loss="),
        ({"target": "x"}, "target="),
        ({"steps": 0}, "steps="),
        ({"max_grad_norm": 0}, "max_grad_norm="),
        ({"max_grad_norm": float("nan")}, "max_grad_norm="),
    ]:
        args = {"target": "clean", "steps": 1} | kwargs
        with pytest.raises(ValueError, match=message):
            n2n.train_denoiser(net, images, gaussian(0.1), crop=16, quiet=True, **args)


def test_a_gradient_bound_changes_training_only_where_it_is_reached():
    images = [torch.rand(1, 32, 32, generator=torch.Generator().manual_seed(0))]
    weights, clipped = {}, {}
    for bound in (None, 1e6, 1e-4):
        torch.manual_seed(0)
        net = unet.UNet(1, 4, 1)
        history = n2n.train_denoiser(
            net, images, gaussian(0.1), "clean", steps=5, crop=16, quiet=True, max_grad_norm=bound
        )
        weights[bound] = torch.cat([p.detach().flatten() for p in net.parameters()])
        clipped[bound] = history.clipped
    assert torch.equal(weights[None], weights[1e6])  # never reached: the same run
    assert not torch.allclose(weights[None], weights[1e-4])
    assert clipped == {None: 0, 1e6: 0, 1e-4: 5}  # a tiny bound clips every step


def test_self_ensemble_is_equivariant_and_leaves_an_equivariant_denoiser_alone():
    torch.manual_seed(0)
    image = torch.rand(1, 12, 10)
    blur = torch.nn.Conv2d(1, 1, 3, padding=1, bias=False)  # not symmetric: not equivariant
    with torch.no_grad():
        ens = n2n.self_ensemble(lambda x: blur(x[None])[0], image)
        turned = n2n.self_ensemble(lambda x: blur(x[None])[0], torch.rot90(image, 1, (-2, -1)))
        plain = blur(image[None])[0]
    assert ens.shape == image.shape
    torch.testing.assert_close(turned, torch.rot90(ens, 1, (-2, -1)))
    torch.testing.assert_close(n2n.self_ensemble(lambda x: x.flip(-1).flip(-1), image), image)
    assert not torch.allclose(ens, plain)  # the views really differ for a lopsided filter
    with pytest.raises(ValueError, match="one image"):
        n2n.self_ensemble(lambda x: x, image[None])


def _per_step_item_loop(
    model, images, noise_fn, target, *, steps, log_every, seed, loss, target_noise
):
    """train_denoiser as it was before it shared train.History: an .item() per step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    crops, noises = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed + 1)
    logged, total, last = [], 0.0, 0
    for step in range(1, steps + 1):
        clean = photos.random_crops(images, 4, 16, crops)
        x, y = n2n.training_pair(clean, noise_fn, target, noises, target_noise)
        value = n2n.LOSSES[loss](model(x), y)
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()
        schedule.step()
        total += value.item()
        if step % log_every == 0 or step == steps:
            logged.append((step, total / (step - last)))
            total, last = 0.0, step
    return logged


@pytest.mark.parametrize(
    ("target", "loss", "biased"),
    [("clean", "l2", False), ("noisy", "l2", False), ("noisy", "l1", True)],
)
def test_the_history_and_weights_are_those_of_the_per_step_item_loop(target, loss, biased):
    # chapter 5 reads .seconds, .steps and .loss: same numbers, same random draws as before
    images = [torch.rand(1, 40, 48, generator=torch.Generator().manual_seed(i)) for i in range(2)]
    target_noise = (lambda x, g: noise.gaussian(x, 0.1, g) + 0.05) if biased else None
    nets = []
    for _ in range(2):
        torch.manual_seed(0)
        nets.append(unet.UNet(1, 4, levels=1))
    old = _per_step_item_loop(
        nets[0],
        images,
        gaussian(0.1),
        target,
        steps=7,
        log_every=3,
        seed=2,
        loss=loss,
        target_noise=target_noise,
    )
    history = n2n.train_denoiser(
        nets[1],
        images,
        gaussian(0.1),
        target,
        steps=7,
        batch_size=4,
        crop=16,
        lr=2e-3,
        loss=loss,
        target_noise=target_noise,
        seed=2,
        log_every=3,
        device="cpu",
        quiet=True,
    )
    assert isinstance(history, train.History)
    assert list(zip(history.steps, history.loss, strict=True)) == old  # exactly, not approx
    assert history.loss is history.train and history.val == []
    assert isinstance(history.seconds, float) and history.total_seconds == history.seconds > 0
    for a, b in zip(nets[0].state_dict().values(), nets[1].state_dict().values(), strict=True):
        assert torch.equal(a, b)
