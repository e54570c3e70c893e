"""The one table of reference formats agrees with the spec's rules and with what media and hosting use."""

from pathlib import Path

from r2v_ui import media_types
from r2v_ui.hosting.base import CONTENT_TYPES, extension_for, kind_of_type
from r2v_ui.media import audio, pictures, video
from r2v_ui.spec import AUDIO_RULES, IMAGE_RULES, VIDEO_RULES


def test_every_format_the_spec_allows_has_one_type_and_extension_and_nothing_more():
    allowed = {f: k for k, rules in (("image", IMAGE_RULES), ("video", VIDEO_RULES), ("audio", AUDIO_RULES))
               for f in rules.formats}
    assert {f: k for f, (k, _, _) in media_types.FORMATS.items()} == allowed
    for fmt, (kind, _, ext) in media_types.FORMATS.items():
        assert ext in media_types.RULES_BY_KIND[kind].extensions, fmt


def test_media_and_hosting_read_the_same_table():
    assert pictures.IMAGE_CONTENT_TYPES == {"JPEG": "image/jpeg", "PNG": "image/png", "BMP": "image/bmp",
                                            "WEBP": "image/webp"}
    assert video.VIDEO_CONTENT_TYPES == {"MP4": "video/mp4", "MOV": "video/quicktime"}
    assert audio.AUDIO_CONTENT_TYPES == {"MP3": "audio/mpeg", "WAV": "audio/wav", "FLAC": "audio/flac"}
    for fmt, (kind, ctype, ext) in media_types.FORMATS.items():
        assert ctype in CONTENT_TYPES[kind] and kind_of_type(ctype) == kind
    assert kind_of_type("audio/x-wav") == "audio" and kind_of_type("text/html") is None
    assert extension_for(Path("clip"), "image/pjpeg") == ".jpg"
    assert extension_for(Path("voice.bin"), "audio/x-flac") == ".flac"
