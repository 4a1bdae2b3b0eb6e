import pytest
import torch

from aelab import models, unet


def test_unet_maps_images_to_images_of_the_same_shape():
    for in_channels, levels in [(1, 1), (3, 2), (1, 3)]:
        net = unet.UNet(in_channels, channels=4, levels=levels)
        x = torch.rand(2, in_channels, 16, 24)
        assert net(x).shape == x.shape


def test_residual_unet_starts_near_the_identity_and_plain_one_does_not():
    torch.manual_seed(0)
    x = torch.rand(2, 1, 16, 16)
    residual, plain = unet.UNet(1, 8), unet.UNet(1, 8, residual=False)
    assert (residual(x) - x).abs().mean() < (plain(x) - x).abs().mean()
    with torch.no_grad():
        residual.out.weight.zero_()
        residual.out.bias.zero_()
    assert torch.equal(residual(x), x)


def test_parameters_grow_with_width_and_every_level_is_used():
    small, wide = unet.UNet(1, 8, 2), unet.UNet(1, 16, 2)
    assert models.count_parameters(wide) > 3 * models.count_parameters(small)
    net = unet.UNet(1, 4, 2)
    net(torch.rand(1, 1, 8, 8)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())


def test_unet_can_learn_to_smooth():
    torch.manual_seed(0)
    net = unet.UNet(1, 8, 1, residual=False)
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    x = torch.rand(8, 1, 8, 8)
    target = x.mean((2, 3), keepdim=True).expand_as(x)
    first = None
    for _ in range(150):
        loss = (net(x) - target).square().mean()
        first = first or loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first / 10


def test_bad_shapes_and_settings_get_clear_errors():
    net = unet.UNet(1, 4, 2)
    with pytest.raises(ValueError, match="multiples of 4"):
        net(torch.rand(1, 1, 10, 12))
    with pytest.raises(ValueError, match="multiples of 4"):
        net(torch.rand(1, 12, 12))
    with pytest.raises(ValueError, match="positive"):
        unet.UNet(1, 0)


def test_without_skips_the_decoder_sees_only_the_coarsest_level():
    torch.manual_seed(0)
    net = unet.UNet(1, 4, levels=1, residual=False, skips=False)
    x = torch.rand(2, 1, 8, 8)
    with torch.no_grad():
        fine = net.down[0](x)
        coarse = net.down[1](net.pool(fine))
        cut = net.out(net.merge[0](torch.cat([net.up[0](coarse), torch.zeros_like(fine)], 1)))
        joined = net.out(net.merge[0](torch.cat([net.up[0](coarse), fine], 1)))
        assert torch.allclose(net(x), cut)
        net.skips = True
        assert torch.allclose(net(x), joined) and not torch.allclose(cut, joined)
