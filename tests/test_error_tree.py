"""Every error the studio raises is a StudioError, so a handler catches the studio's errors by that
one name and lets a bug (a ValueError from a mistake) surface instead of swallowing it; the service's
errors are one branch of it (APIError), beside the store, hosting, the library and the form."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import r2v_ui
from r2v_ui.errors import StudioError
from r2v_ui.request import GenerationRequest, RequestInvalid

# The emulator stands in for the remote service: its errors are the service's, not the studio's.
NOT_THE_STUDIO = ("r2v_ui.emulator",)
# Words on their way out through Gradio, which shows only its own gr.Error: the edge, not the tree.
AT_THE_EDGE = {"r2v_ui.mcp.views.ToolError"}


def _studio_modules():
    for info in pkgutil.walk_packages(r2v_ui.__path__, "r2v_ui."):
        if not info.name.startswith(NOT_THE_STUDIO) and not info.name.startswith("r2v_ui.ui"):
            yield importlib.import_module(info.name)


def test_every_exception_class_of_the_studio_is_a_studio_error():
    strays = []
    for module in _studio_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, BaseException) and not issubclass(cls, StudioError):
                strays.append(f"{module.__name__}.{name}")
    assert set(strays) == AT_THE_EDGE


def test_an_invalid_request_is_a_studio_error_with_its_words_and_no_longer_a_value_error():
    with pytest.raises(StudioError) as caught:
        GenerationRequest(prompt="", media=()).require_valid()
    assert isinstance(caught.value, RequestInvalid) and not isinstance(caught.value, ValueError)
    assert caught.value.user_message.startswith("The prompt is empty")


def test_the_tree_has_one_root_and_the_service_is_one_branch_of_it():
    from r2v_ui import errors
    from r2v_ui.characters import CharacterError
    from r2v_ui.hosting import HostingError
    from r2v_ui.store import StoreError
    from r2v_ui.workspace.refusals import FormProblem

    service = [errors.APIConnectionError, errors.APITimeoutError, errors.SubmissionUncertain, errors.APIStatusError,
               errors.BadRequestError, errors.AuthenticationError, errors.PermissionDeniedError,
               errors.NotFoundError, errors.RateLimitError, errors.ServerError, errors.UnexpectedResponse,
               errors.TaskFailed, errors.DownloadError, errors.ResultUnusable, errors.ResultExpired]
    assert all(issubclass(cls, errors.APIError) for cls in service)
    # The other rooms are branches of the root, not of the service.
    for cls in (StoreError, HostingError, CharacterError, FormProblem, RequestInvalid):
        assert issubclass(cls, StudioError) and not issubclass(cls, errors.APIError), cls
    # 403 is its own class, apart from 401.
    assert not issubclass(errors.PermissionDeniedError, errors.AuthenticationError)
    assert not issubclass(errors.AuthenticationError, errors.PermissionDeniedError)
    assert type(errors.error_from_response(403, {}, b"")) is errors.PermissionDeniedError
    assert type(errors.error_from_response(401, {}, b"")) is errors.AuthenticationError


def test_a_form_problem_is_said_like_any_studio_error():
    from r2v_ui.messages import EN, ZH, msg, render_msg
    from r2v_ui.workspace.refusals import FormProblem

    problem = FormProblem(msg("form.seed_missing"))
    assert isinstance(problem, StudioError) and problem.msg == msg("form.seed_missing")
    assert str(problem) == render_msg(msg("form.seed_missing"), EN)
    assert render_msg(problem.msg, ZH) != render_msg(problem.msg, EN)


def test_the_request_id_is_kept_only_when_the_service_sends_one():
    from r2v_ui.errors import error_from_response

    envelope = b'{"code": 500, "reason": "CREATE_TASK_FAILED", "message": "boom"}'
    assert error_from_response(500, {"X-Request-Id": " req-1 "}, envelope).request_id == "req-1"
    assert error_from_response(500, {}, envelope).request_id is None
    assert error_from_response(500, {"x-request-id": ""}, envelope).request_id is None
