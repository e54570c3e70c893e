"""A refusal of what the form holds, said in the reader's language: the form's own checks raise a
`FormProblem` (the form's branch of the studio's error tree, errors.py), and `said` turns what a lower layer reported (a Msg, an
object carrying one, or a plain sentence) into a Msg, so the page renders them all the same way."""

from __future__ import annotations

from typing import Any

from ..errors import StudioError
from ..messages import Msg, legacy


class FormProblem(StudioError, ValueError):
    """The form's values refused in words: `msg` says it in the reader's language, str() in English
    (for scripts and logs).  Still a ValueError for the form's parsers that catch one (form.py)."""


def said(problem: Any) -> Msg:
    """What a lower layer said, as a Msg: a Msg, an object carrying one (`.msg`), or a plain
    sentence (kept as it is)."""
    if isinstance(problem, Msg):
        return problem
    carried = getattr(problem, "msg", None)
    if isinstance(carried, Msg):
        return carried
    return legacy(str(getattr(problem, "message", None) or problem))
