import pytest
import torch
from torch import nn

import aelab as ae
from aelab import conv


@pytest.mark.parametrize("downsample", conv.DOWNSAMPLE)
@pytest.mark.parametrize("upsample", conv.UPSAMPLE)
def test_autoencoder_shapes_and_output(downsample, upsample):
    model = conv.conv_autoencoder(12, (4, 8), downsample=downsample, upsample=upsample)
    x = torch.rand(3, 1, 28, 28)
    assert model.encode(x).shape == (3, 12)
    x_hat = model(x)
    assert x_hat.shape == x.shape and ((x_hat > 0) & (x_hat < 1)).all()
    assert model.logits(x).shape == x.shape


def test_encoder_parameter_count_by_hand():
    encoder = conv.conv_encoder(32, (16, 32))
    expected = 16 * (1 * 9 + 1) + 32 * (16 * 9 + 1) + 32 * 7 * 7 * 32 + 32
    assert ae.models.count_parameters(encoder) == expected
    # max pooling has no parameters: the same count
    assert ae.models.count_parameters(conv.conv_encoder(32, (16, 32), "maxpool")) == expected


def test_both_decoders_have_the_same_parameters_and_differ_in_layers():
    nearest = conv.conv_decoder(32, (32, 16), "nearest")
    transposed = conv.conv_decoder(32, (32, 16), "transposed")
    assert ae.models.count_parameters(nearest) == ae.models.count_parameters(transposed)
    assert any(isinstance(m, nn.Upsample) for m in nearest)
    assert not any(isinstance(m, nn.ConvTranspose2d) for m in nearest)
    assert sum(isinstance(m, nn.ConvTranspose2d) for m in transposed) == 2
    y = torch.randn(2, 32)
    assert nearest(y).shape == transposed(y).shape == (2, 1, 28, 28)


def test_other_image_sizes_and_stage_counts():
    model = conv.conv_autoencoder(5, (4, 4, 4), image_size=32)
    assert model(torch.rand(2, 1, 32, 32)).shape == (2, 1, 32, 32)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"code_size": 0}, "code_size"),
        ({"code_size": 8, "channels": ()}, "channels"),
        ({"code_size": 8, "channels": (4, 0)}, "channels"),
        ({"code_size": 8, "channels": (4, 4, 4)}, "multiple of 8"),
        ({"code_size": 8, "downsample": "avgpool"}, "downsample"),
    ],
)
def test_bad_encoder_designs_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv.conv_encoder(**kwargs)


def test_bad_decoder_choice_is_a_clear_error():
    with pytest.raises(ValueError, match="upsample"):
        conv.conv_decoder(8, upsample="bilinear")


def test_flat_images_are_rejected_with_a_hint():
    model = conv.conv_autoencoder(8, (4, 8))
    with pytest.raises(ValueError, match="shape"):
        model(torch.rand(2, 784))


@pytest.mark.parametrize("downsample", conv.DOWNSAMPLE)
def test_feature_maps_one_per_stage(downsample):
    encoder = conv.conv_encoder(10, (4, 6), downsample)
    maps = conv.feature_maps(encoder, torch.rand(2, 1, 28, 28))
    assert [m.shape for m in maps] == [(2, 4, 14, 14), (2, 6, 7, 7)]
    assert all((m >= 0).all() for m in maps)  # after the ReLU
    # the last map is exactly what the linear layer to the code reads
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(encoder[-1](conv.feature_maps(encoder, x)[-1].flatten(1)), encoder(x))


def test_feature_maps_needs_images_and_convolutions():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        conv.feature_maps(conv.conv_encoder(4, (2,)), torch.rand(2, 784))
    with pytest.raises(ValueError, match="no convolutional stage"):
        conv.feature_maps(nn.Sequential(nn.Flatten(), nn.Linear(784, 4)), torch.rand(1, 1, 28, 28))


def test_shift_moves_pixels_and_fills_zeros():
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0
    moved = conv.shift(x, dx=1, dy=-2)
    assert moved[0, 0, 0, 3] == 1.0 and moved.sum() == 1.0
    edge = torch.zeros(1, 5, 5)
    edge[0, :, 4] = 1.0
    assert conv.shift(edge, dx=1).sum() == 0  # pushed out, not wrapped around
    assert torch.equal(conv.shift(x, 0, 0), x)


def test_shift_of_flat_images_matches_the_image_shift():
    x = torch.rand(3, 784)
    assert torch.equal(conv.shift(x, 2, 1), conv.shift(x.view(3, 28, 28), 2, 1).reshape(3, 784))


@pytest.mark.parametrize(
    "x, dx, error",
    [
        (torch.rand(2, 10), 1, ValueError),
        (torch.rand(2, 5, 5), 5, ValueError),
        (torch.rand(2, 5, 5), 1.5, TypeError),
        (torch.rand(5), 1, ValueError),
    ],
)
def test_shift_rejects_bad_input(x, dx, error):
    with pytest.raises(error):
        conv.shift(x, dx)


def test_moves_are_the_four_directions():
    assert conv.moves(2) == [(2, 0), (-2, 0), (0, 2), (0, -2)]
    x = torch.zeros(1, 7, 7)
    x[0, 3, 3] = 1.0
    moved = torch.cat([conv.shift(x, dx, dy) for dx, dy in conv.moves(1)]).sum(0)
    assert moved[3, 4] == moved[3, 2] == moved[4, 3] == moved[2, 3] == 1.0 and moved.sum() == 4


@pytest.mark.parametrize("s", [-1, 1.5, True])
def test_moves_rejects_bad_shifts(s):
    with pytest.raises(ValueError, match="whole number of pixels"):
        conv.moves(s)


def test_checkerboard_score_extremes():
    i, j = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
    board = ((i + j) % 2).float()[None]
    stripes = (j % 2).float()[None]
    smooth = torch.sin(2 * torch.pi * i / 28).float()[None]
    assert torch.allclose(conv.checkerboard_score(board), torch.ones(1, dtype=torch.float64))
    assert torch.allclose(conv.checkerboard_score(stripes), torch.ones(1, dtype=torch.float64))
    assert conv.checkerboard_score(smooth).item() < 1e-12
    assert conv.checkerboard_score(torch.ones(1, 28, 28)).item() == 0.0  # no variance at all
    noise = torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert conv.checkerboard_score(noise).mean().item() == pytest.approx(3 / 783, rel=0.1)


def test_checkerboard_score_rejects_odd_sizes():
    with pytest.raises(ValueError, match="even"):
        conv.checkerboard_score(torch.rand(2, 27, 27))


def test_untrained_transposed_decoder_paints_a_checkerboard_and_upsampling_does_not():
    # The point of the chapter's figure: a constant input to the last stage.
    torch.manual_seed(0)
    flat = torch.ones(16, 16, 14, 14)
    transposed = nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1)
    resize = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(16, 1, 3, padding=1))
    with torch.no_grad():
        inner = (slice(None), slice(None), slice(2, -2), slice(2, -2))  # away from the border
        t = conv.checkerboard_score(transposed(flat)[inner]).mean()
        r = resize(flat)[inner]
    assert t > 0.9  # almost all the variance of the output is the 2-pixel pattern
    assert r.std() < 1e-5  # a constant input gives a constant output


def test_shift_distances_zero_for_no_shift_and_for_an_invariant_code():
    x = torch.zeros(50, 1, 28, 28)
    x[:, :, 10:18, 10:18] = torch.rand(50, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    pixels = conv.shift_distances(lambda v: v.flatten(1), x, [0, 1, 3])
    assert pixels[0] == 0.0 and 0 < pixels[1] < pixels[2]
    total_ink = conv.shift_distances(lambda v: v.flatten(1).sum(1, keepdim=True), x, [1, 2])
    assert max(total_ink) < 1e-5  # the total ink ignores where the digit is


def test_shift_distances_scale_free():
    x = torch.rand(20, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    one = conv.shift_distances(lambda v: v.flatten(1), x, [1, 2])
    ten = conv.shift_distances(lambda v: 10 * v.flatten(1), x, [1, 2])
    assert one == pytest.approx(ten)


def test_shift_distances_needs_two_images():
    with pytest.raises(ValueError, match="two images"):
        conv.shift_distances(lambda v: v, torch.rand(1, 1, 28, 28), [1])
