"""Every error the studio raises is an R2VError, so a handler catches the studio's errors by that
one name and lets a bug (a ValueError from a mistake) surface instead of swallowing it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import r2v_ui
from r2v_ui.errors import R2VError
from r2v_ui.spec import GenerationRequest, RequestInvalid

# The emulator stands in for the remote service: its errors are the service's, not the studio's.
NOT_THE_STUDIO = ("r2v_ui.emulator",)
# Words on their way out through Gradio, which shows only its own gr.Error: the edge, not the tree.
AT_THE_EDGE = {"r2v_ui.mcp.views.ToolError"}


def _studio_modules():
    for info in pkgutil.walk_packages(r2v_ui.__path__, "r2v_ui."):
        if not info.name.startswith(NOT_THE_STUDIO) and not info.name.startswith("r2v_ui.ui"):
            yield importlib.import_module(info.name)


def test_every_exception_class_of_the_studio_is_an_r2v_error():
    strays = []
    for module in _studio_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, BaseException) and not issubclass(cls, R2VError):
                strays.append(f"{module.__name__}.{name}")
    assert set(strays) == AT_THE_EDGE


def test_an_invalid_request_is_an_r2v_error_with_its_words_and_still_a_value_error():
    with pytest.raises(R2VError) as caught:
        GenerationRequest(prompt="", media=()).require_valid()
    assert isinstance(caught.value, RequestInvalid) and isinstance(caught.value, ValueError)
    assert caught.value.user_message.startswith("The prompt is empty")
