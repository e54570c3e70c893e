"""Pictures written byte by byte for the media tests: a PNG of any declared size streamed row by row
(a 10000×9990 one-colour picture is a few hundred KB on disk and never whole in the test's memory),
optionally with an eXIf chunk after the pixel data, where Pillow only finds it by decoding."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPES = {"RGB": (2, 3), "RGBA": (6, 4)}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def exif_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def solid_png(path: Path, size: tuple[int, int], colour: tuple[int, ...] = (200, 60, 40, 128), *,
              mode: str = "RGBA", exif_after_data: bytes | None = None) -> Path:
    """A one-colour PNG of `size`, compressed as it is written (the first row as is, every other row
    "same as the row above"), in IDAT chunks of 64 KB."""
    width, height = size
    colour_type, channels = _COLOUR_TYPES[mode]
    z = zlib.compressobj(6)
    packed = bytearray(z.compress(b"\x00" + bytes(colour[:channels]) * width))
    same_as_above = b"\x02" + bytes(width * channels)
    for _ in range(height - 1):
        packed += z.compress(same_as_above)
    packed += z.flush()
    with open(path, "wb") as fh:
        fh.write(PNG_SIGNATURE)
        fh.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)))
        for i in range(0, len(packed), 65536):
            fh.write(_chunk(b"IDAT", bytes(packed[i:i + 65536])))
        if exif_after_data is not None:
            fh.write(_chunk(b"eXIf", exif_after_data))
        fh.write(_chunk(b"IEND", b""))
    return path
