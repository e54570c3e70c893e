"""The studio as tools for AI assistants (MCP): `python app.py --mcp`, or R2V_MCP=1.

Gradio 6 serves a Blocks' public API endpoints as an MCP server at `/gradio_api/mcp/` (streamable
HTTP; `/gradio_api/mcp/sse` for older clients), each tool described by its function's docstring and
type hints.  `register()` adds the eight tools below to the studio's Blocks with `gr.api` (API only:
nothing is added to the page), and `restrict_tools()` keeps the page's own endpoints (`generate`,
`watch_job`, … built for a browser tab, with state an assistant cannot hold) out of the tool list.
The tools run outside Gradio's queue (`queue=False`): Gradio then calls them in-process with the
MCP request, which is also what lets them read the caller's credentials (below).

The tools go through the page's own code, so an assistant gets the same checks and guarantees:
* a reference is checked by the card checks (`workspace.cast.check_media` / `check_voice` → `media.probe`;
  `check_link` → `hosting.check_pasted_url`): a refusal is the very sentence the card shows;
* a video is started by `workspace.form.build_draft` and `JobManager.start`: the same validation, the same
  "no way to host your files" refusal before anything exists, the same never-pay-twice pipeline;
* jobs are read through `JobManager.snapshot` / `wait_for_change` / `list_jobs` with the caller as owner;
* an uncertain submission is settled by `JobManager.resolve_uncertain`, the rules the page's buttons use;
* a share link is made by `workspace.sharing.make_link`, as the page's Share dialog makes one (`share_job`),
  at the address the dialog gives (`addresses.base_url` with the --share link), saying as it does when
  the link opens only on this machine (`addresses.only_here`).

Who is calling.  Without --auth: the one local library (owner ""), as on the page.  With --auth,
an MCP client sends the HTTP Basic credentials of a studio login (`Authorization: Basic …` in the
client's settings for this server) and sees and acts on only that user's jobs; a call without them
is refused.  Gradio's own login is a browser cookie that MCP clients do not have, and its MCP route
is not behind that login, so the check is made here, on every call.

Files.  A reference is (1) a public http(s) link, passed through to the service after the same check
as a link pasted on a card (on a shared studio, never one leading to a private address:
`hosting.LinkGuard`); (2) a `data:` URI (base64, optionally `;name=file.png`), saved into the
studio's work folder; or (3) the link of a file uploaded to this studio (`POST /gradio_api/upload`,
as Gradio's `upload_file_to_gradio` helper does), used from Gradio's upload folder when the link
names this studio and the upload is one this studio issued (`refs.uploaded_file`).  No other path
on the studio's disk can be named.  A finished video comes back as a link the studio serves under an
unguessable path that expires (`/r2v-result/<token>/<name>.mp4`), outside the login like the
reference links, because an MCP client cannot sign in with a cookie.

The API key is never in an answer: answers are built from job snapshots, which hold none.

The package, along those lines: `tools` (`StudioTools`, the eight tools), `refs` (a reference resolved
and checked as a card), `access` (who is calling, from the request's headers), `links` (`ResultLinks`),
`views` (`ToolError`, what an answer may say of a job).  This module registers the tools on a Blocks.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import gradio as gr

from .access import BAD_LOGIN, LOGIN_NEEDED
from .links import RESULT_PREFIX, ResultLinks
from .refs import uploaded_file
from .tools import TOOL_NAMES, StudioTools
from .views import ToolError

__all__ = [
    "BAD_LOGIN", "LOGIN_NEEDED", "RESULT_PREFIX", "TOOL_NAMES", "ResultLinks", "StudioTools", "ToolError",
    "lifespan", "quiet_state_warning", "register", "restrict_tools", "uploaded_file",
]


def register(demo: gr.Blocks, manager: Any, settings: Any, shares: Any = None) -> StudioTools:
    """Add the tools to `demo` as API-only endpoints (nothing on the page); `shares`: the studio's
    ShareService (share_job and list_jobs' picks and notes), or None."""
    tools = StudioTools(manager, settings, uploads=lambda: demo.upload_file_set, shares=shares,
                        share_url=lambda: getattr(demo, "share_url", None))
    with demo:
        for name in TOOL_NAMES:
            gr.api(getattr(tools, name), api_name=name, queue=False)
    return tools


def restrict_tools(demo: gr.Blocks) -> None:
    """Keep only the studio's tools in Gradio's MCP server (the page's endpoints are for the page).
    Tools are matched by endpoint, since on a Space Gradio prefixes tool names with the Space's name."""
    server = getattr(demo, "mcp_server_obj", None)
    if server is None:
        return
    server.tool_to_endpoint = {tool: endpoint for tool, endpoint in server.tool_to_endpoint.items()
                               if endpoint.lstrip("/") in TOOL_NAMES}


def lifespan(demo: gr.Blocks):
    """An app lifespan that restricts the tools at start-up, before the server answers anyone."""

    @contextlib.asynccontextmanager
    async def restrict(_app):
        restrict_tools(demo)
        yield

    return restrict


def quiet_state_warning() -> None:
    """Gradio warns about gr.State inputs of tools while building its MCP server, before
    `restrict_tools` drops the page's endpoints that have them: not ours to worry about."""
    warnings.filterwarnings("ignore", message="This MCP server includes a tool that has a gr.State input")
