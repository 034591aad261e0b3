"""Small real pictures made on the fly, for imports that read image files."""

from io import BytesIO

from PIL import Image


def png_bytes(*, color=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()
