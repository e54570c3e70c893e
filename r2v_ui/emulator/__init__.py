"""The embedded emulator of the Wan 2.7 reference-to-video service (see SPEC.md).

Built from SPEC.md alone: it imports nothing from the client side of this project.

What it does not reproduce: real video generation (it renders an honest preview from the
references), content moderation (ILLEGAL_PROMPT / ILLEGAL_IMAGE_CONTENT), billing and balance
errors, the real rate limits (only the fault plan answers 429), "one character per reference",
and fetching from anywhere but this machine (loopback only).
"""

from .app import create_app
from .config import EmulatorConfig
from .server import EmbeddedEmulator

__all__ = ["EmbeddedEmulator", "EmulatorConfig", "create_app"]
