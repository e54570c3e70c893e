"""The studio's browser interface (Gradio Blocks): layout, thin handlers, formatting.

`build_app(manager, settings, *, emulator=None, shares=None) -> gr.Blocks`; `launch_kwargs()` gives the theme,
CSS and head script to pass to `launch()` (Gradio 6 takes them there).
"""

from .page import build_app, launch_kwargs

__all__ = ["build_app", "launch_kwargs"]
