"""The studio's browser interface (Gradio Blocks): layout, thin handlers, formatting.

`build_app(manager, settings, *, emulator=None, shares=None, examples=None) -> gr.Blocks`;
`example_cards(settings)` the example cast's checked cards (warmed at studio start); `launch_kwargs()` gives the theme,
CSS and head script to pass to `launch()` (Gradio 6 takes them there).
"""

from .page import build_app, example_cards, launch_kwargs

__all__ = ["build_app", "example_cards", "launch_kwargs"]
