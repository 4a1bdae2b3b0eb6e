"""The procedural faces: shapes, range, seeding, and that each factor moves the right pixels."""

import numpy as np
import pytest
import torch

from aelab import faces


def test_shapes_range_and_factors():
    data = faces.faces(50, seed=3)
    assert data.x.shape == (50, 784) and data.x.dtype == torch.float32
    assert data.factors.shape == (50, len(faces.FACTORS))
    assert 0 <= data.x.min() and data.x.max() <= 1 and data.x.max() == 1  # ink reaches white
    assert data.factors.abs().max() <= 1 and data.factors.std(0).min() > 0.3  # uniform on [-1, 1]
    assert len(data) == 50
    torch.testing.assert_close(data.factor("pose"), data.factors[:, 1])
    images = faces.faces(4, side=32, flat=False).x
    assert images.shape == (4, 1, 32, 32)


def test_the_same_seed_gives_the_same_faces():
    a, b, c = faces.faces(20, seed=1), faces.faces(20, seed=1), faces.faces(20, seed=2)
    assert torch.equal(a.x, b.x) and torch.equal(a.factors, b.factors)
    assert not torch.equal(a.x, c.x)


def test_fixed_factors_are_held():
    data = faces.faces(30, fixed={"size": 0.0, "eyes": -0.5})
    assert (data.factor("size") == 0).all() and (data.factor("eyes") == -0.5).all()
    assert data.factor("smile").std() > 0.3
    expected = faces.render(data.factor("smile").numpy(), data.factor("pose").numpy(), 0.0, -0.5)
    np.testing.assert_allclose(data.x.reshape(30, 28, 28).numpy(), expected, atol=1e-6)


def test_smile_bends_the_mouth_and_nothing_else():
    frown, smile = faces.render([-1.0, 1.0], 0.0)
    changed = np.abs(smile - frown) > 0.1
    rows = np.nonzero(changed.any(1))[0]
    assert rows.min() >= 14  # the mouth: in the lower part of the face, below the eyes
    cols = np.nonzero(changed.any(0))[0]
    assert abs((cols.min() + cols.max()) / 2 - 13.5) <= 1  # centred in a frontal face

    def ink_row(img, c):  # the mean row of the ink in column c, below the eyes
        column = img[14:, c]
        return (column * np.arange(14, 28)).sum() / column.sum()

    # a smile lifts the corners and lowers the middle of the mouth
    corner = cols.min() + 1
    assert ink_row(smile, corner) < ink_row(frown, corner) - 0.5
    assert ink_row(smile, 14) > ink_row(frown, 14) + 1


def test_pose_moves_the_features_sideways_and_narrows_the_head():
    left, front, right = faces.render(0.0, [-1.0, 0.0, 1.0])
    columns = np.arange(28)

    def centre_of_features(img):  # ink between the outline's sides, rows of the eyes to the mouth
        inner = img[8:22, 7:21]
        return (inner.sum(0) * columns[7:21]).sum() / inner.sum()

    assert centre_of_features(left) < centre_of_features(front) - 0.5
    assert centre_of_features(right) > centre_of_features(front) + 0.5

    def left_outline(img):  # sub-pixel position of the outline's left edge at mid height
        ink = img[14, :8]
        return (ink * columns[:8]).sum() / ink.sum()

    assert left_outline(left) > left_outline(front) + 0.3  # narrower: the outline moves in
    np.testing.assert_allclose(left, right[:, ::-1], atol=1e-5)  # a turn is a mirror image


def test_size_scales_the_head():
    small, large = faces.render(0.0, 0.0, [-1.0, 1.0])
    assert np.ptp(np.nonzero(large[14] > 0.5)[0]) > np.ptp(np.nonzero(small[14] > 0.5)[0])


def test_drawing_is_vectorised_and_fast():
    import time

    start = time.perf_counter()
    faces.faces(2000)
    assert time.perf_counter() - start < 2.0


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="positive whole number"):
        faces.faces(0)
    with pytest.raises(ValueError, match="unknown factors"):
        faces.faces(5, fixed={"beard": 1.0})
    with pytest.raises(ValueError, match="smile must lie in"):
        faces.render(2.0, 0.0)
    with pytest.raises(ValueError, match="at least 16"):
        faces.render(0.0, 0.0, side=8)
    with pytest.raises(ValueError, match="unknown factor"):
        faces.faces(3).factor("beard")
