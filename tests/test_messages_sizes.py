"""File sizes in words (messages/formats.py `file_size`, the `FileSize` parameter): the unit that fits
the size, in each language, and a size that never reads as the limit it is over."""

from __future__ import annotations

import pytest

from r2v_ui.messages import EN, FileSize, ZH, from_data, msg, render_msg, to_data
from r2v_ui.messages.formats import file_size

KB, MB = 1024, 1024 * 1024


@pytest.mark.parametrize("n,en,zh", [
    (0, "0 bytes", "0 字节"),
    (1, "1 byte", "1 字节"),
    (1023, "1023 bytes", "1023 字节"),
    (1024, "1 KB", "1 KB"),
    (1536, "1.5 KB", "1.5 KB"),
    (412 * KB + 300, "412 KB", "412 KB"),
    (MB - 1, "1 MB", "1 MB"),
    (int(9.6 * MB), "9.6 MB", "9.6 MB"),
    (10 * MB, "10 MB", "10 MB"),
    (10 * MB + 40_000, "10.04 MB", "10.04 MB"),  # over a 10 MB limit: never "10.0 MB"
    (3 * 1024 * MB + 200 * MB, "3.2 GB", "3.2 GB"),
])
def test_a_size_is_said_in_the_unit_that_fits_it(n, en, zh):
    assert (file_size(n, EN), file_size(n, ZH)) == (en, zh)


def test_a_size_parameter_renders_in_the_readers_language_and_survives_storing():
    m = msg("media.fix.resaved_short", size=FileSize(31_000), limit=FileSize(10 * MB))
    assert render_msg(m, EN) == "it was re-saved as a 30 KB JPEG to stay under 10 MB"
    assert render_msg(m, ZH) == "重新保存为 30 KB 的 JPEG，以控制在 10 MB 以内"
    assert render_msg(from_data(to_data(m)), ZH) == render_msg(m, ZH)
