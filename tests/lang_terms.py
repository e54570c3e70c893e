"""Latin words a Chinese page may show as they are: the model's and the service's own terms, file
formats, units and setting names.  Anything else in Latin letters on a zh-CN page is untranslated."""

from __future__ import annotations

import re

# "3s": a shot's length in the storyboard's own syntax ("Shot 1 [0-3s]: …"), written into the prompt as it is.
ALLOWED = re.compile(
    r"^(?:character\d*|Wan|2\.7|R2V|Studio|720P|1080P|HTTP|API|ID|URL|JPEG|PNG|BMP|WEBP|GIF|MP4|MOV|MP3|WAV|FLAC|M4A|"
    r"H\.264|EXIF|MB|GB|KB|px|S3|R2|OSS|MinIO|AWS|HEAD|GET|Gradio|MCP|HIGHWAY_[A-Z_]+|R2V_[A-Z0-9_]+|SPACE_HOST|"
    r"README|JSON|SQLite|Hugging|Face|Spaces?|Ctrl|Cmd|Enter|Tab|Esc|https?|Shot|Scene|Image|Video|English|"
    r"\d+s|WebM|MKV|AVI|FLV|MPEG|MPEG-TS|WMV|ASF|Ogg|AAC|AMR|AIFF|seed|task_id|Image\d|Video\d|[A-Z_]{4,}|"
    r"[a-z0-9_.-]+\.(?:png|jpg|jpeg|mp4|wav|mp3|webp|bmp|mov|flac))$"
)
WORD = re.compile(r"[0-9]*[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[0-9]*[A-Za-z]")  # 720P is one word


def foreign_words(text: str) -> list[str]:
    """Latin words in `text` that are not allowed terms."""
    return [w for w in WORD.findall(text) if not ALLOWED.match(w)]
