"""What a picture's file says about itself, read without decoding a pixel: its rotation tag, and
whether its data is all there (a cut-off upload is the damage seen in practice).

Each check reads headers and seeks past the data, a few small reads per file:

* PNG — the chunks from the last IDAT to IEND: found in two 8-byte reads when the writer cut the data
  into IDAT chunks of one size (Pillow, libpng and most others do), else read from the file's tail (or,
  when the tail does not settle it, every chunk header from the signature on): the chunk lengths must
  fit the file, and an eXIf chunk after the pixel data is found on the way, where Pillow would decode
  the picture to reach it;
* JPEG — the segments up to the first scan, then the end-of-image marker after it (at the end of the
  file; else, for a file with data after the picture such as a motion photo, searched for);
* BMP — the declared file size and pixel-data size against the file's size;
* WEBP (and WAV) — the RIFF size against the file's size.

Checksums are not verified: that would read every byte.  Nothing here decodes, writes files or
builds sentences: the rest of media/ does that (pictures.py, audio.py for a WAV).
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

ORIENTATION_TAG = 0x0112
_TAG_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "Raw profile type exif")  # where getexif() looks in the header
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MAX_CHUNKS = 200_000  # a hostile file of tiny chunks is not walked for ever (and is refused)
EXIF_MAX_BYTES = 1 << 20
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # an IEND chunk: no data, and its fixed CRC
_PNG_TAIL_WINDOWS = (80 * 1024, 400 * 1024)  # a 64 KB IDAT chunk (Pillow's) and what follows it
_JPEG_TAILS = (4 * 1024, 64 * 1024)  # the end-of-image marker, and zero padding after it
_JPEG_HEAD = 16 * 1024  # segments up to the first scan, read a block at a time; large ones are skipped


@dataclass(frozen=True)
class PngLayout:
    complete: bool  # every chunk fits the file and IEND is there
    exif: bytes | None  # the eXIf chunk's data, wherever it is


def orientation(im: Image.Image, trailing_exif: bytes | None = None) -> int:
    """The EXIF orientation (1–8) of an opened, not yet decoded picture, from its header.

    For a PNG, Pillow's own `getexif()` decodes the whole picture to look for an eXIf chunk after the
    pixel data; the base method used here reads only what the header gave, and `trailing_exif` (from
    `png_layout`) supplies such a chunk."""
    if not trailing_exif and not any(key in im.info for key in _TAG_KEYS):
        return 1  # nothing in the header can carry the tag (the common case for a PNG, a screenshot)
    if im.format == "PNG":
        exif = Image.Image.getexif(im)  # eXIf before IDAT, or XMP
        if ORIENTATION_TAG not in exif and "exif" not in im.info and trailing_exif:
            exif = Image.Exif()
            exif.load(trailing_exif)
    else:
        exif = im.getexif()  # JPEG, WEBP, BMP: read from what the header gave, no pixels decoded
    value = exif.get(ORIENTATION_TAG, 1) or 1
    return int(value) if int(value) in range(1, 9) else 1


def png_layout(path: Path, fd: int | None = None, opened: Image.Image | None = None) -> PngLayout:
    """Whether a PNG ends with all its chunks, and its eXIf chunk's data wherever it is.

    Usually from the file's tail alone: when the file ends with IEND and the chunks from the last
    IDAT chain exactly to it, everything after the pixel data is known (IDAT chunks are consecutive,
    and Pillow's header read saw everything before them).  Otherwise every chunk header is walked.
    `fd`: the file already open (Pillow's), read with pread so its position is left alone;
    `opened`: Pillow's header read of it, which says where the first IDAT is (see _png_even_idats)."""
    own = fd is None
    fd = os.open(path, os.O_RDONLY) if fd is None else fd
    try:
        size = os.fstat(fd).st_size
        first_idat = _first_idat(opened)
        if first_idat is None and os.pread(fd, 8, 0) != PNG_SIGNATURE:
            return PngLayout(False, None)
        if first_idat is not None and _png_even_idats(fd, size, first_idat):
            return PngLayout(True, None)
        for window in _PNG_TAIL_WINDOWS:
            found = _png_tail(os.pread(fd, min(window, size - 8), max(8, size - window)))
            if found is not None:
                return found
            if window >= size:
                break
        return _png_walk(fd, size)
    finally:
        if own:
            os.close(fd)


def _first_idat(im: Image.Image | None) -> int | None:
    """Where the first IDAT chunk's header is, from Pillow's header read (its tile starts at the data)."""
    if im is None or im.format != "PNG" or getattr(im, "n_frames", 1) != 1 or len(im.tile) != 1:
        return None
    offset = im.tile[0][2]
    return offset - 8 if isinstance(offset, int) and offset >= 16 else None


def _png_even_idats(fd: int, size: int, first: int) -> bool:
    """True when the file ends with IEND right after the last of a run of IDAT chunks of one size.

    Writers cut the pixel data into chunks of one size N but the last (Pillow 64 KB, libpng 8 KB),
    so from the first chunk's length the last one's header is found by arithmetic and checked with
    one read — instead of searching the tail for it.  Anything else (an eXIf chunk after the data,
    chunks of varied sizes) gives False and the caller reads the tail."""
    head = os.pread(fd, 8, first)
    if len(head) < 8 or os.pread(fd, 12, size - 12) != _PNG_IEND:
        return False
    n, kind = struct.unpack(">I4s", head)
    end = size - 12  # where IEND's header is
    if kind != b"IDAT" or first + 12 + n > end:
        return False
    span = end - first  # = (k-1)·(N+12) + (L+12) with 1 ≤ L ≤ N, L the last chunk's length
    last = first + (span - 13) // (n + 12) * (n + 12)
    if last == first:
        return first + 12 + n == end
    head = os.pread(fd, 8, last)
    if len(head) < 8:
        return False
    length, kind = struct.unpack(">I4s", head)
    return kind == b"IDAT" and 1 <= length <= n and last + 12 + length == end


def _png_tail(tail: bytes) -> PngLayout | None:
    """The layout from the last bytes of a PNG, or None when they do not settle it."""
    if not tail.endswith(_PNG_IEND):
        return None
    j = len(tail)
    while (j := tail.rfind(b"IDAT", 0, j)) >= 4:  # the last IDAT whose chain ends at IEND
        pos, exif = j - 4, None
        while pos + 8 <= len(tail):
            length, kind = struct.unpack_from(">I4s", tail, pos)
            if kind == b"eXIf" and exif is None:
                exif = tail[pos + 8:pos + 8 + length] if length <= EXIF_MAX_BYTES else None
            if kind == b"IEND":
                if pos + 12 == len(tail):
                    return PngLayout(True, exif)
                break
            pos += 12 + length
    return None


def _png_walk(fd: int, size: int) -> PngLayout:
    """Every chunk header from the signature on (8 bytes each, seeking past the data)."""
    pos, exif = 8, None
    for _ in range(PNG_MAX_CHUNKS):
        head = os.pread(fd, 8, pos)
        if len(head) < 8:
            return PngLayout(False, exif)
        length, kind = struct.unpack(">I4s", head)
        end = pos + 12 + length  # header, data, CRC
        if end > size:
            return PngLayout(False, exif)
        if kind == b"eXIf" and exif is None and length <= EXIF_MAX_BYTES:
            exif = os.pread(fd, length, pos + 8)
        if kind == b"IEND":
            return PngLayout(True, exif)
        pos = end
    return PngLayout(False, exif)


def png_exif_chunk(path: Path) -> bytes | None:
    """The data of a PNG's eXIf chunk wherever it is, reading only chunk headers on the way."""
    return png_layout(path).exif


def jpeg_complete(path: Path, fd: int | None = None) -> bool:
    """The picture's scan data ends with an end-of-image marker (`fd`: as for png_layout)."""
    own = fd is None
    fd = os.open(path, os.O_RDONLY) if fd is None else fd
    try:
        size = os.fstat(fd).st_size
        scan = _first_scan(fd, size)
        if scan is None:
            return False
        for window in _JPEG_TAILS:  # a small read first: the end-of-image marker is usually the last 2 bytes
            tail_at = max(scan, size - window)
            if os.pread(fd, size - tail_at, tail_at).rstrip(b"\x00").endswith(b"\xff\xd9"):
                return True  # the common case: the file ends with the picture (perhaps zero-padded)
            if tail_at == scan:
                break
        # Data after the picture (a motion photo's video, a maker's trailer), or a cut-off file.
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b"\xff\xd9", scan) != -1  # never inside scan data, where 0xFF is stuffed
    finally:
        if own:
            os.close(fd)


def _first_scan(fd: int, size: int) -> int | None:
    """Where the first scan's data starts: walk the segments from SOI (read 64 KB at a time)."""
    block_at, block = 0, os.pread(fd, _JPEG_HEAD, 0)
    if block[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 4 <= size:
        if pos + 4 > block_at + len(block):  # the next header is past what was read
            block_at, block = pos, os.pread(fd, _JPEG_HEAD, pos)
        head = block[pos - block_at:pos - block_at + 4]
        if head[0] != 0xFF:
            return None
        marker = head[1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if 0xD0 <= marker <= 0xD8 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        length = (head[2] << 8) | head[3]
        if length < 2:
            return None
        pos += 2 + length
        if marker == 0xDA:  # start of scan: its data follows its header
            return pos if pos <= size else None
        if marker == 0xD9:
            return None
    return None


def bmp_complete(path: Path, size: int) -> bool:
    """The declared file and pixel-data sizes fit in the file."""
    with open(path, "rb") as fh:
        head = fh.read(54)
    if len(head) < 26 or head[:2] != b"BM":
        return False
    declared, offset = struct.unpack_from("<I", head, 2)[0], struct.unpack_from("<I", head, 10)[0]
    if declared and declared > size and declared != 0xFFFFFFFF:
        return False
    dib = struct.unpack_from("<I", head, 14)[0]
    if dib == 12:  # OS/2 header: 16-bit width and height, never compressed
        width, height, bits = struct.unpack_from("<HHxxH", head, 18)
        compression, data_size = 0, 0
    elif len(head) >= 38:
        width, height, _, bits, compression = struct.unpack_from("<iiHHI", head, 18)
        data_size = struct.unpack_from("<I", head, 34)[0] if len(head) >= 38 else 0
    else:
        return False
    if compression in (0, 3, 6):  # raw rows (RGB, bit fields): each padded to 4 bytes
        needed = offset + ((abs(width) * bits + 31) // 32) * 4 * abs(height)
    else:  # run-length or embedded JPEG/PNG: only the declared data size is known
        needed = offset + data_size
    return needed <= size


def riff_cut_off(path: Path, size: int) -> bool:
    """WAV and WEBP begin with RIFF and the size of what follows; a shorter file was cut off."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if len(head) < 8 or head[:4] != b"RIFF":
        return False
    declared = struct.unpack("<I", head[4:8])[0]
    if declared in (0, 0xFFFFFFFF):  # streaming writers leave it unknown
        return False
    return declared + 8 > size
