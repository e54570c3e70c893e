"""A visitor's session without the work the page never uses: Gradio's per-session state, made lazily.

Gradio 6.31.0 makes a `SessionState` for each browser session on its first event
(`gradio/state_holder.py`), and at once builds the configuration of every block of the page
(`config_values`: ~350 blocks here, each `get_config()` plus its API description; an UploadButton's
is a pydantic JSON schema made afresh each time): ~36 ms of CPU per visitor on this machine, a
fifth of a page open.  Every event then rebuilds the configuration of each component it updates.
Those configurations are read for one thing only, a deep link (`gr.DeepLinkButton`, route
`/gradio_api/deep_link`), which the studio does not have.

`LightSessionState` keeps what each configuration would be built from (the block, and the value an
event last set) and builds it only when read; reading `config_values` (or `components`, which a deep
link reads) builds them all first, so what a reader sees is what Gradio's own would hold.  Everything
else (state values, their time to live, blocks replaced by updates) is Gradio's own code.

`LeanBlocks` does the same for an event's outputs: when a handler returns a dict naming some of its
outputs, Gradio 6.31.0 fills in the others with `gr.skip()` and, for each one, makes a new copy of
the component in the session (`postprocess_data`: ~0.17 ms apiece).  The page's `resume` on load
names 2 of its 77 outputs: 13 ms of every page open spent copying components that did not change.
Now only the named outputs go through Gradio's postprocessing; the others are sent exactly as
Gradio sends a skip (its own `postprocess_update_dict` of an empty update, or None for a State),
and the session keeps the component it had.

`light_sessions(app)` swaps the class of the app's StateHolder (made by Gradio's App, before it
answers anyone: `lifespan`), so each new session is a light one.  Only on the Gradio release it
mirrors (gradio is pinned in requirements.txt and pyproject.toml); on another it changes nothing
and logs why.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
from copy import copy
from typing import Any, Callable

import gradio
from gradio import state_holder
from gradio.blocks import Block, Blocks, postprocess_update_dict

log = logging.getLogger(__name__)

GRADIO_VERSION = "6.31.0"  # the release whose SessionState.__init__ / __setitem__ / _update_* are mirrored below


class LightSessionState(state_holder.SessionState):
    """Gradio's SessionState, with each block's configuration built when it is read, not when it changes."""

    def __init__(self, blocks: Any):  # gradio 6.31.0's, with config_values deferred
        self.blocks_config = copy(blocks.default_config)
        self._configs: dict[int, dict] = {}
        # key -> (block to build it from, whether an event set its value, that value)
        self._pending: dict[int, tuple[Any, bool, Any]] = {
            k: (v, False, None) for k, v in self.blocks_config.blocks.items() if k in blocks.blocks}
        self.state_data: dict[int, Any] = {}
        self._state_ttl = {}
        self.is_closed = False
        self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600

    # -- the configurations, built when read ------------------------------------------------------
    @property
    def config_values(self) -> dict[int, dict]:
        for key in list(self._pending):
            self._build(key)
        return self._configs

    @config_values.setter
    def config_values(self, value: dict[int, dict]) -> None:
        self._pending = {}
        self._configs = value

    def _build(self, key: int) -> dict:
        block, has_value, value = self._pending.pop(key)
        config = self.blocks_config.config_for_block(key, [], block)
        if has_value and "props" in config:
            config["props"]["value"] = value
        self._configs[key] = config
        return config

    def _defer(self, key: int, block: Any) -> None:
        self._configs.pop(key, None)
        self._pending[key] = (block, False, None)

    # -- Gradio's writers, deferring the build -----------------------------------------------------
    def __setitem__(self, key: int, value: Any) -> None:
        from gradio.components import State

        block = self.blocks_config.blocks.get(key)
        if isinstance(block, State):
            self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
            self.state_data[key] = value
        else:
            self.blocks_config.blocks[key] = value
        if block:
            self._defer(key, block)

    def _update_config(self, key: int) -> None:
        if self[key] is not None:
            self._defer(key, self[key])

    def _update_value_in_config(self, key: int, value: Any) -> None:
        if key in self._configs:
            if "props" in self._configs[key]:
                self._configs[key]["props"]["value"] = value
            return
        block = self._pending[key][0] if key in self._pending else self.blocks_config.blocks[key]
        self._pending[key] = (block, True, value)


class LightStateHolder(state_holder.StateHolder):
    """Gradio's StateHolder, whose new sessions are light ones."""

    def __getitem__(self, session_id: str) -> state_holder.SessionState:  # gradio 6.31.0's, with the light class
        if session_id not in self.session_data:
            self.session_data[session_id] = LightSessionState(self.blocks)
        self.update(session_id)
        self.time_last_used[session_id] = datetime.datetime.now()
        return self.session_data[session_id]


class LeanBlocks(Blocks):
    """Gradio's Blocks, whose events postprocess only the outputs a handler's dict names."""

    async def postprocess_data(self, block_fn: Any, predictions: Any, state: Any) -> list[Any]:
        outputs = list(block_fn.outputs)
        if (isinstance(predictions, dict) and predictions and len(outputs) > 2 and not block_fn.batch
                and not block_fn.is_validator_function and all(isinstance(k, Block) for k in predictions)):
            named = {k._id for k in predictions}
            if named <= {b._id for b in outputs} and len(named) < len(outputs):
                # At least two outputs go to Gradio: with one, it would read the dict as a single value.
                keep = set(named)
                for b in outputs:
                    if len(keep) >= 2:
                        break
                    keep.add(b._id)
                lean = copy(block_fn)
                lean.outputs = [b for b in outputs if b._id in keep]
                done = iter(await super().postprocess_data(lean, predictions, state))
                return [next(done) if b._id in keep else self._skipped(b, block_fn.postprocess) for b in outputs]
        return await super().postprocess_data(block_fn, predictions, state)

    @staticmethod
    def _skipped(block: Any, postprocess: bool) -> Any:
        """What Gradio 6.31.0 sends for an output left out of a dict (a skip), made without copying the
        component: None for a State, else its update of nothing (an HTML's also carries empty props)."""
        if block.stateful:
            return None
        return postprocess_update_dict(block=block, update_dict={"__type__": "update"}, postprocess=postprocess)


def lean_blocks(demo: Any) -> bool:
    """Make `demo` (a plain gr.Blocks, before launch) postprocess only what its handlers name.  Returns
    whether it did: on another Gradio release, or a Blocks of another class, nothing is changed."""
    if gradio.__version__ != GRADIO_VERSION or type(demo) not in (Blocks, LeanBlocks):
        log.warning("Gradio %s: skipped outputs are left to Gradio (the lean postprocessing mirrors %s).",
                    gradio.__version__, GRADIO_VERSION)
        return False
    demo.__class__ = LeanBlocks
    return True


def light_sessions(app: Any) -> bool:
    """Make the sessions of Gradio's `app` light.  Returns whether it did (see the module's docstring)."""
    holder = getattr(app, "state_holder", None)
    if gradio.__version__ != GRADIO_VERSION or type(holder) is not state_holder.StateHolder:
        log.warning("Gradio %s: its sessions are left as they are (the light session mirrors %s).",
                    gradio.__version__, GRADIO_VERSION)
        return False
    holder.__class__ = LightStateHolder
    return True


def lifespan(inner: Callable[[Any], Any] | None = None):
    """An app lifespan that makes sessions light at start-up, before the server answers anyone, then
    runs `inner` (another lifespan, or None)."""

    @contextlib.asynccontextmanager
    async def start(app: Any):
        light_sessions(app)
        if inner is None:
            yield
        else:
            async with inner(app) as state:
                yield state

    return start
