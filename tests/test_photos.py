import numpy as np
import pytest
import torch

from aelab import patches, photos


def test_every_photograph_loads_offline_as_grey_values():
    for name in photos.PHOTOGRAPHS:
        image = photos.photograph(name)
        assert image.ndim == 2 and min(image.shape) >= 256, name
        assert image.dtype == np.float64 and 0 <= image.min() and image.max() <= 1, name
        assert image.std() > 0.02, name  # a real picture, not a constant
    with pytest.raises(ValueError, match="not one of"):
        photos.photograph("eagle")
    with pytest.raises(ValueError, match="not one of"):
        photos.photograph("lena.jpg")


def test_chapter_3_reads_the_photographs_through_patches():
    assert patches.photograph is photos.photograph and patches.PHOTOGRAPHS is photos.PHOTOGRAPHS


def test_train_and_test_photographs_are_disjoint_and_load_as_grey_tensors():
    assert set(photos.TRAIN).isdisjoint(photos.TEST)
    assert set(photos.TRAIN) | set(photos.TEST) == set(photos.PHOTOGRAPHS)
    for image, name in zip(photos.load(photos.TEST), photos.TEST, strict=True):
        assert image.dtype == torch.float32 and image.ndim == 3 and image.shape[0] == 1
        assert 0 <= image.min() and image.max() <= 1
        np.testing.assert_allclose(image[0].numpy(), photos.photograph(name), atol=1e-6)


def test_random_crops_are_seeded_shaped_and_taken_from_the_images():
    images = [torch.arange(40 * 50).float().reshape(1, 40, 50), -torch.ones(1, 30, 30)]
    a = photos.random_crops(images, 200, 8, torch.Generator().manual_seed(0))
    b = photos.random_crops(images, 200, 8, torch.Generator().manual_seed(0))
    assert a.shape == (200, 1, 8, 8) and torch.equal(a, b)
    from_first = a[:, 0, 0, 0] >= 0
    # chosen in proportion to the area: 2000 vs 900 pixels
    assert 0.6 < from_first.float().mean() < 0.78
    # a crop of the ramp image is a contiguous window: rows differ by 50, columns by 1
    crop = a[from_first][0, 0]
    assert torch.equal(crop[1:] - crop[:-1], torch.full((7, 8), 50.0))
    assert torch.equal(crop[:, 1:] - crop[:, :-1], torch.ones(8, 7))


def test_crop_errors_and_center_crop():
    with pytest.raises(ValueError, match="at least 64 px"):
        photos.random_crops([torch.zeros(1, 40, 80)], 4, 64)
    with pytest.raises(ValueError, match="at least one image"):
        photos.random_crops([], 4, 8)
    image = torch.arange(36.0).reshape(1, 6, 6)
    assert torch.equal(photos.center_crop(image, 2), torch.tensor([[[14.0, 15.0], [20.0, 21.0]]]))
    with pytest.raises(ValueError, match="larger"):
        photos.center_crop(image, 7)


def test_extra_test_images_load_offline_and_are_no_training_photographs():
    images = photos.load(photos.EXTRA_TEST)
    assert len(images) == 3 and all(
        im.shape[0] == 1 and im.min() >= 0 and im.max() <= 1 for im in images
    )
    assert not set(photos.EXTRA_TEST) & (set(photos.TRAIN) | set(photos.TEST))
