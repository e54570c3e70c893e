"""A number widget whose value reaches the handler exactly as the browser or an API client sent it.

Gradio's own `gr.Number(precision=0)` rounds 1.5 to 2 before the handler sees it, and a value that
is not a number at all ("abc") fails in Gradio's preprocessing with "Could not preprocess input
component at index 11…".  This keeps the same look (`is_template`: Gradio draws it with the Number of
the page) and hands the value over untouched, so form.py can refuse what is not a whole number in
range in one plain sentence.  (No slider: Gradio's slider clamps a typed value in the browser when
its box loses focus, 11 becoming 10 without a word, before any handler could refuse it.)
"""

from __future__ import annotations

from typing import Any

import gradio as gr


class WholeNumber(gr.Number):
    """A gr.Number whose value is checked by the handler (form.parse_seed, parse_duration), not rounded by Gradio."""

    is_template = True

    def preprocess(self, payload: Any) -> Any:
        return payload
