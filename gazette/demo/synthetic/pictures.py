"""Photo-like pictures for the synthetic newsroom, drawn from a seed.

Flat placeholder cards compress to a few kilobytes, so pages built on them weigh far less than
pages with real photographs. These have a sky, a skyline and film grain, saved as JPEG as a
newsroom would upload them: their renditions weigh about what photographs' do.
"""

from __future__ import annotations

from io import BytesIO
from random import Random

import numpy as np
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import ImageDraw

from gazette.images.models import CustomImage

WIDTH, HEIGHT = 1600, 900
JPEG_QUALITY = 85
GRAIN = 7.0  # standard deviation of the per-pixel noise, in 0-255 levels
SCENES = ["a city skyline at dusk", "rooftops in the morning", "a harbour front", "a town square"]


def synthetic_photo(number: int) -> CustomImage:
    """Synthetic photo ``number``: made on first use, the same picture every time."""
    title = f"Synthetic photo {number}"
    existing = CustomImage.objects.filter(title=title, is_placeholder=False).first()
    if existing is not None:
        return existing
    rng = Random(f"synthetic-photo-{number}")
    scene = SCENES[number % len(SCENES)]
    image = CustomImage(
        title=title,
        credit=f"Agency {number % 7}",
        description=f"Synthetic photograph of {scene}",
    )
    image.file = ImageFile(BytesIO(_draw(rng)), name=f"synthetic-photo-{number}.jpg")
    image.save()
    return image


def _draw(rng: Random) -> bytes:
    noise = np.random.default_rng(rng.getrandbits(64))
    horizon = rng.randint(HEIGHT // 2, HEIGHT * 3 // 4)
    sky_top, sky_low = _colour(rng, 60, 160), _colour(rng, 150, 250)
    ground_top, ground_low = _colour(rng, 40, 120), _colour(rng, 10, 70)
    rows = np.empty((HEIGHT, 3))
    rows[:horizon] = np.linspace(sky_top, sky_low, horizon)
    rows[horizon:] = np.linspace(ground_top, ground_low, HEIGHT - horizon)
    pixels = np.repeat(rows[:, None, :], WIDTH, axis=1)
    # Soft blotches of light (clouds, haze), then grain.
    blotches = PillowImage.fromarray(noise.normal(0, 18, size=(9, 16)).astype(np.float32), "F")
    pixels += np.asarray(blotches.resize((WIDTH, HEIGHT), PillowImage.BICUBIC))[:, :, None]
    pixels += noise.normal(0, GRAIN, size=pixels.shape)
    picture = PillowImage.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="RGB")
    _skyline(ImageDraw.Draw(picture), rng, horizon)
    buffer = BytesIO()
    picture.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _skyline(draw: ImageDraw.ImageDraw, rng: Random, horizon: int) -> None:
    """Buildings standing on the horizon, with lit windows."""
    x = 0
    while x < WIDTH:
        width, height = rng.randint(40, 160), rng.randint(40, horizon - 60)
        shade = _grey(rng, 20, 90)
        draw.rectangle((x, horizon - height, x + width, horizon), fill=shade)
        for _ in range(rng.randint(0, width * height // 900)):
            wx = rng.randint(x + 4, x + width - 8)
            wy = rng.randint(horizon - height + 4, horizon - 10)
            draw.rectangle((wx, wy, wx + 5, wy + 7), fill=_grey(rng, 180, 250))
        x += width + rng.randint(0, 30)


def _colour(rng: Random, low: int, high: int) -> tuple[int, int, int]:
    return tuple(rng.randint(low, high) for _ in range(3))


def _grey(rng: Random, low: int, high: int) -> tuple[int, int, int]:
    """A grey with a slight tint, as walls and lit windows look at a distance."""
    level = rng.randint(low, high)
    return tuple(min(255, max(0, level + rng.randint(-12, 12))) for _ in range(3))
