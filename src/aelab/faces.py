"""Procedural cartoon faces whose generating factors are known.

A VAE's latent space can only be checked against the truth when the truth is
known. ``faces(n)`` draws n grey 28 x 28 faces with NumPy, each from four
factors drawn uniformly at random, and returns the images together with the
factor values:

* ``smile`` in [-1, 1]: the curvature of the mouth, from a frown (-1) through a
  straight line (0) to a smile (+1);
* ``pose`` in [-1, 1]: the head turned to the viewer's left (-1) or right (+1).
  Eyes, nose and mouth slide sideways (the nose, which sticks out, the
  furthest), the head outline narrows (foreshortening) and the far eye shrinks;
* ``size`` in [-1, 1]: the scale of the whole head (a nuisance factor);
* ``eyes`` in [-1, 1]: how wide the eyes are open (a nuisance factor).

Every shape is a distance to a curve turned into ink with a linear ramp two
pixels wide, so each image is a smooth function of its factors: a feature that
slides by a fraction of a pixel changes the pixels by a fraction too. (With
hard one-pixel lines, sliding features trace a strongly curved path through
pixel space, and models spend two latent coordinates on the one pose factor.)
The drawing is vectorised over the images: thousands of faces take a fraction
of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

#: The generating factors, in the column order of ``Faces.factors``.
FACTORS = ("smile", "pose", "size", "eyes")


@dataclass(frozen=True)
class Faces:
    """Images ``x`` (float32 in [0, 1], ``(N, side * side)`` or ``(N, 1, side, side)``)
    and their generating factors ``factors`` (float32, ``(N, 4)``, columns ``FACTORS``)."""

    x: torch.Tensor
    factors: torch.Tensor

    def __len__(self) -> int:
        return len(self.x)

    def factor(self, name: str) -> torch.Tensor:
        """One factor's values, e.g. ``faces.factor("smile")``, shape ``(N,)``."""
        if name not in FACTORS:
            raise ValueError(f"unknown factor {name!r}: choose one of {FACTORS}.")
        return self.factors[:, FACTORS.index(name)]


def faces(
    n: int,
    seed: int = 0,
    *,
    side: int = 28,
    flat: bool = True,
    fixed: dict[str, float] | None = None,
) -> Faces:
    """n random faces with factors drawn uniformly from [-1, 1], seeded.

    Args:
        n: number of faces.
        seed: the same seed gives the same faces (NumPy's default generator).
        side: image height and width in pixels (at least 16).
        flat: ``(N, side * side)`` rows (True, what an MLP takes) or ``(N, 1, side, side)``.
        fixed: factors to hold at a value instead of drawing them, e.g.
            ``{"size": 0.0, "eyes": 0.0}`` for faces that vary in smile and pose only.
    """
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n={n!r}: ask for a positive whole number of faces.")
    fixed = dict(fixed or {})
    unknown = set(fixed) - set(FACTORS)
    if unknown:
        raise ValueError(f"fixed names unknown factors {sorted(unknown)}: use {FACTORS}.")
    rng = np.random.default_rng(seed)
    values = rng.uniform(-1.0, 1.0, size=(n, len(FACTORS)))
    for name, value in fixed.items():
        values[:, FACTORS.index(name)] = value
    images = render(*values.T, side=side)
    x = torch.from_numpy(images)
    x = x.reshape(n, side * side) if flat else x.unsqueeze(1)
    return Faces(x=x, factors=torch.from_numpy(values.astype(np.float32)))


def render(
    smile: np.ndarray | float,
    pose: np.ndarray | float,
    size: np.ndarray | float = 0.0,
    eyes: np.ndarray | float = 0.0,
    *,
    side: int = 28,
) -> np.ndarray:
    """Faces with the given factors (each in [-1, 1], broadcast together): ``(N, side, side)``.

    Use it to draw the true traversal of a factor, e.g.
    ``render(np.linspace(-1, 1, 7), 0.0)`` for seven faces from a frown to a smile.
    """
    if not isinstance(side, int) or side < 16:
        raise ValueError(f"side={side!r}: the faces need at least 16 x 16 pixels.")
    arrays = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, float)) for v in (smile, pose, size, eyes))
    )
    if arrays[0].ndim != 1:
        raise ValueError("give each factor as a number or a 1-d array of values.")
    for name, a in zip(FACTORS, arrays, strict=True):
        if not np.isfinite(a).all() or np.abs(a).max() > 1:
            raise ValueError(f"{name} must lie in [-1, 1], got values up to {np.abs(a).max():g}.")
    smile, pose, size, eyes = (a[:, None, None] for a in arrays)

    # pixel centres in [-1, 1], y pointing down as in the image
    u = (np.arange(side) + 0.5) / side * 2 - 1
    y, x = u[None, :, None], u[None, None, :]
    pixel = 2.0 / side

    def ink(distance: np.ndarray, half_width: float) -> np.ndarray:
        """Ink 1 up to a pixel inside half_width of a curve, 0 a pixel beyond, linear between."""
        return np.clip((half_width - distance) / (2 * pixel) + 0.5, 0.0, 1.0)

    scale = 1.0 + 0.08 * size
    turn = np.abs(pose)
    a = 0.62 * scale * (1 - 0.06 * turn)  # half-width of the head: a little narrower when turned
    b = 0.78 * scale  # half-height
    head = np.abs(np.sqrt((x / a) ** 2 + (y / b) ** 2) - 1) * np.minimum(a, b)
    image = ink(head, 0.6 * pixel)

    shift = 0.35 * pose * a  # eyes and mouth slide with the turn ...
    for sign in (-1.0, 1.0):
        far = 1 - 0.25 * sign * pose  # the eye on the side the head turns to recedes
        ex = shift + sign * 0.36 * a * (1 - 0.1 * turn)
        ey = -0.22 * b
        rx = 0.11 * scale * far
        ry = (0.05 + 0.05 * (eyes + 1)) * scale
        eye = (np.sqrt(((x - ex) / rx) ** 2 + ((y - ey) / ry) ** 2) - 1) * np.minimum(rx, ry)
        image = np.maximum(image, ink(eye, 0.0))

    nose_x = 1.6 * shift  # ... and the nose, which sticks out, slides furthest
    top, bottom = -0.12 * b, 0.18 * b
    dy = np.clip(y, top, bottom) - y
    nose = np.sqrt((x - nose_x) ** 2 + dy**2)
    image = np.maximum(image, ink(nose, 0.5 * pixel))

    mouth_x, mouth_y = shift, 0.48 * b
    width = 0.48 * 0.62 * scale * (1 - 0.1 * turn)
    bend = 0.28 * scale * smile  # corners up for a smile, down for a frown
    t = np.clip((x - mouth_x) / width, -1, 1)
    curve = mouth_y + bend * (0.5 - t**2)
    beyond = (np.abs(x - mouth_x) - width).clip(0)
    mouth = np.sqrt((y - curve) ** 2 / (1 + (2 * bend * t / width) ** 2) + beyond**2)
    image = np.maximum(image, ink(mouth, 1.0 * pixel))
    return image.astype(np.float32)
