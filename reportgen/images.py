"""Image bytes → whether they are safe to embed: a real image, and not too many pixels to decode.

A 12,000 × 12,000 logo is 144 megapixels: decoding it takes gigabytes. Only the header is read
here, so the check costs nothing, and it is made on every image a build embeds, whatever its name.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator

MAX_PIXELS = 25_000_000  # a 5000×5000 logo is already far more than print needs


def raster_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) when the bytes are an image Pillow knows, else None."""
    from PIL import Image

    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # the header only: the size is what we want to know
    try:
        with Image.open(io.BytesIO(content)) as image:
            return image.size
    except Exception:  # not an image Pillow knows, or a damaged one: not a raster to decode
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def pixel_complaint(content: bytes) -> str | None:
    size = raster_size(content)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        return f"the image is {size[0]}×{size[1]} pixels, over the limit of {MAX_PIXELS:,}"
    return None


def image_complaint(content: bytes, suffix: str) -> str | None:
    """Why the bytes cannot be the image their suffix says, or None."""
    if suffix == ".svg":
        head = content[:2048].lstrip().lower()
        ok = head.startswith((b"<svg", b"<?xml")) and b"<svg" in content[:65536].lower()
        return None if ok else "the file is not an SVG image"
    if raster_size(content) is None:
        return "the file is not an image that can be read"
    return pixel_complaint(content)


@contextlib.contextmanager
def refuse_decompression_bombs() -> Iterator[None]:
    """Pillow only warns about an image over its pixel limit: make that an error, at ours."""
    from PIL import Image

    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous
