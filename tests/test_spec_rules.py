"""The contract as data: every rule of SPEC.md's submit body as a validation table, the exact
submit body, sizes, the price estimate, and settings that never print the key."""

from __future__ import annotations

from dataclasses import replace

import pytest

from r2v_ui import spec
from r2v_ui.config import Secret, Settings
from r2v_ui.price import PriceTable
from r2v_ui.request import GenerationRequest, MediaItem, RequestInvalid

IMG = MediaItem(url="https://example.test/a.png")
VID = MediaItem(url="https://example.test/a.mp4", type=spec.REFERENCE_VIDEO)


def _req(**kw) -> GenerationRequest:
    base = dict(prompt="character1 walks", media=(IMG,))
    base.update(kw)
    return GenerationRequest(**base)


VALID = [
    ("defaults", {}),
    ("prompt at 1500", {"prompt": "character1 " + "x" * (1500 - len("character1 "))}),
    ("negative at 500", {"negative_prompt": "n" * 500}),
    ("five images", {"media": (IMG,) * 5, "prompt": "character1 character2 character3 character4 character5"}),
    ("three videos and two images", {"media": (VID,) * 3 + (IMG,) * 2,
                                     "prompt": "character1 character2 character3 character4 character5"}),
    ("duration 2", {"duration": 2}),
    ("duration 10", {"duration": 10}),
    ("seed 0", {"seed": 0}),
    ("seed max", {"seed": 2147483647}),
    ("multi shot", {"shot_type": "multi"}),
    ("every size", {"size": "832*1088"}),
    ("voice", {"media": (replace(IMG, reference_voice="https://example.test/v.mp3"),)}),
    ("Chinese prompt", {"prompt": "character1 在公园里挥手"}),
    ("line breaks and tabs", {"prompt": "character1 walks\n\tthen runs\n", "negative_prompt": "blur\nnoise"}),
    ("right-to-left text with its marks", {"prompt": "character1 says \u05e9\u05dc\u05d5\u05dd\u200f and \u0645\u0631\u062d\u0628\u0627"}),
]

INVALID = [
    ("empty prompt", {"prompt": "  "}, "prompt", "empty"),
    ("prompt 1501", {"prompt": "character1 " + "x" * (1501 - len("character1 "))}, "prompt", "1501 characters"),
    ("negative 501", {"negative_prompt": "n" * 501}, "negative_prompt", "limit is 500"),
    ("no media", {"media": ()}, "media", "at least one"),
    ("six media", {"media": (IMG,) * 6}, "media", "at most 5"),
    ("four videos", {"media": (VID,) * 4, "prompt": "character1 character2 character3 character4"}, "media",
     "at most 3"),
    ("bad type", {"media": (replace(IMG, type="reference_audio"),)}, "media", "image or a video"),
    ("data uri", {"media": (MediaItem(url="data:image/png;base64,AAAA"),)}, "media", "http"),
    ("voice not a link", {"media": (replace(IMG, reference_voice="/home/me/v.mp3"),)}, "media", "voice"),
    ("size not offered", {"size": "1024*1024"}, "size", "not offered"),
    ("size with x", {"size": "1280x720"}, "size", "not offered"),
    ("duration 1", {"duration": 1}, "duration", "2 to 10"),
    ("duration 11", {"duration": 11}, "duration", "2 to 10"),
    ("duration 5.5", {"duration": 5.5}, "duration", "whole number"),
    ("duration True", {"duration": True}, "duration", "whole number"),
    ("shot type", {"shot_type": "double"}, "shot_type", "single or multi"),
    ("seed -1", {"seed": -1}, "seed", "0 to 2147483647"),
    ("seed too big", {"seed": 2147483648}, "seed", "0 to 2147483647"),
    ("seed as text", {"seed": "7"}, "seed", "whole number"),
    ("tag beyond the cast", {"prompt": "character1 meets character4", "media": (IMG, IMG)}, "prompt",
     "character4"),
    # Control and text-direction characters are refused, never passed on to the service.
    ("prompt of NUL and ESC", {"prompt": "\x00\x1b"}, "prompt", "2 invisible control characters, the first (U+0000)"),
    ("ESC in a prompt", {"prompt": "character1 \x1b[31mwaves"}, "prompt", "invisible control character (U+001B) at position 12"),
    ("carriage return", {"prompt": "character1 waves\r\n"}, "prompt", "(U+000D)"),
    ("DEL", {"prompt": "character1 waves\x7f"}, "prompt", "(U+007F)"),
    ("C1 control", {"prompt": "character1 waves\x85"}, "prompt", "(U+0085)"),
    ("right-to-left override", {"prompt": "character1 \u202eeveas"}, "prompt",
     "text-direction control character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 12"),
    ("left-to-right embedding", {"prompt": "character1 \u202awaves"}, "prompt", "U+202A"),
    ("first strong isolate", {"prompt": "character1 \u2068waves\u2069"}, "prompt", "2 text-direction control characters"),
    ("control in negative", {"negative_prompt": "blur\x00"}, "negative_prompt", "(U+0000) at position 5; delete it"),
    ("bidi in negative", {"negative_prompt": "\u2066blur"}, "negative_prompt", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("only invisible spaces", {"prompt": "\u200b\u3000 \ufeff"}, "prompt", "empty"),
    # Numbers are whole or refused: never rounded.
    ("seed 1.5", {"seed": 1.5}, "seed", "whole number"),
    ("seed 2.0 as a float", {"seed": 2.0}, "seed", "whole number"),
    ("seed True", {"seed": True}, "seed", "whole number"),
    ("duration as text", {"duration": "5"}, "duration", "whole number"),
]


@pytest.mark.parametrize("name,kw", VALID, ids=[v[0] for v in VALID])
def test_valid_requests_pass(name, kw):
    v = _req(**kw).validate()
    assert v.ok, [p.message for p in v.errors]


@pytest.mark.parametrize("name,kw,field,words", INVALID, ids=[v[0] for v in INVALID])
def test_each_broken_rule_is_one_plain_error_on_its_field(name, kw, field, words):
    v = _req(**kw).validate()
    assert not v.ok
    hits = [p for p in v.errors if p.field == field]
    assert hits, [p.message for p in v.errors]
    assert any(words in p.message for p in hits), [p.message for p in hits]
    with pytest.raises(RequestInvalid) as err:
        _req(**kw).require_valid()
    assert words in str(err.value)


def test_a_reference_the_prompt_never_names_is_a_warning_not_an_error():
    v = _req(prompt="character1 dances", media=(IMG, IMG)).validate()
    assert v.ok
    assert [p.message for p in v.warnings] == [
        "The prompt never names character2; write it in the prompt so the model knows who it is."
    ]


def test_tags_are_read_case_insensitively_and_without_repeats():
    assert spec.tags_in_prompt("Character2 hugs character1, then CHARACTER2 leaves") == [2, 1]


def test_the_submit_body_is_exactly_the_wire_fields():
    body = _req(negative_prompt="blur", seed=42, media=(replace(IMG, reference_voice="https://example.test/v.wav"), VID),
                prompt="character1 and character2", size="720*1280", duration=7, shot_type="multi", audio=False,
                watermark=True).to_body()
    assert body == {
        "prompt": "character1 and character2",
        "negative_prompt": "blur",
        "media": [
            {"url": "https://example.test/a.png", "type": "reference_image", "reference_voice": "https://example.test/v.wav"},
            {"url": "https://example.test/a.mp4", "type": "reference_video"},
        ],
        "size": "720*1280", "duration": 7, "shot_type": "multi", "audio": False, "watermark": True, "seed": 42,
    }


def test_optional_fields_are_left_out_and_defaults_follow_the_spec():
    body = _req().to_body()
    assert "seed" not in body and "negative_prompt" not in body
    assert (body["size"], body["duration"], body["shot_type"], body["audio"], body["watermark"]) == (
        "1920*1080", 5, "single", True, False)


def test_from_settings_never_rounds_a_number_that_is_not_whole():
    r = GenerationRequest.from_settings({"prompt": "character1 walks", "media": [{"url": IMG.url}], "duration": 5.5,
                                         "seed": 1.5})
    assert (r.duration, r.seed) == (5.5, 1.5)
    assert {p.field for p in r.validate().errors} == {"duration", "seed"}
    whole = GenerationRequest.from_settings({"prompt": "character1 walks", "media": [{"url": IMG.url}],
                                             "duration": 5.0, "seed": 9.0})
    assert (whole.duration, whole.seed) == (5, 9) and whole.validate().ok  # 5.0 is 5: nothing is changed


def test_every_forbidden_character_is_found_with_its_position():
    text = "a\tb\nc\x00d\u202ee\x9f"
    assert spec.forbidden_characters(text) == [(6, "\x00"), (8, "\u202e"), (10, "\x9f")]


def test_settings_round_trip_through_from_settings():
    r = _req(negative_prompt="no text", seed=9, duration=3, size="960*960")
    assert GenerationRequest.from_settings(r.settings_dict()) == r


@pytest.mark.parametrize("tier,aspect,size", [
    ("720P", "16:9", "1280*720"), ("720P", "9:16", "720*1280"), ("720P", "1:1", "960*960"),
    ("720P", "4:3", "1088*832"), ("720P", "3:4", "832*1088"), ("1080P", "16:9", "1920*1080"),
    ("1080P", "9:16", "1080*1920"), ("1080P", "1:1", "1440*1440"), ("1080P", "4:3", "1632*1248"),
    ("1080P", "3:4", "1248*1632"),
])
def test_every_tier_and_aspect_maps_to_its_size_and_back(tier, aspect, size):
    assert spec.size_for(tier, aspect) == size
    assert spec.tier_and_aspect(size) == (tier, aspect)


@pytest.mark.parametrize("size,duration,videos,label", [
    ("1280*720", 5, (), "about $0.50 (estimate)"),
    ("1920*1080", 10, (), "about $1.50 (estimate)"),
    ("1920*1080", 5, (12.0,), "about $0.75–$1.50 (estimate)"),  # a reference video billed up to 5 s
    ("1280*720", 2, (3.0, 4.0), "about $0.20–$0.90 (estimate)"),
])
def test_price_estimate_is_labelled_and_a_range_with_reference_videos(size, duration, videos, label):
    assert PriceTable().estimate(size, duration, videos).label() == label


def test_price_table_comes_from_the_environment():
    s = Settings.from_env({"R2V_PRICE_720P": "0.2", "R2V_PRICE_1080P": "0.3"})
    assert s.price.estimate("1280*720", 5).low == pytest.approx(1.0)
    with pytest.raises(ValueError, match="R2V_PRICE_720P must be a number"):
        Settings.from_env({"R2V_PRICE_720P": "cheap"})


def test_the_key_never_prints_itself():
    made_up = "hw_madeup_0123456789abcdef"
    s = Settings.from_env({"HIGHWAY_API_KEY": made_up})
    assert s.api_key.get() == made_up and not s.demo
    for text in (repr(s), str(s), repr(s.api_key), f"{s.api_key}"):
        assert made_up not in text
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(Secret(made_up))


def test_no_key_means_demo_mode_and_the_base_url_is_configurable():
    s = Settings.from_env({"HIGHWAY_BASE_URL": "http://127.0.0.1:9999/"})
    assert s.demo and s.base_url == "http://127.0.0.1:9999"
    assert Settings.from_env({}).base_url == "https://api.highwayapi.ai"
    with pytest.raises(ValueError, match="R2V_HOSTING"):
        Settings.from_env({"R2V_HOSTING": "ftp"})
