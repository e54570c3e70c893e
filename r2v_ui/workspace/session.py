"""Who is on the other end of a page session: the login (with --auth) or the browser (no Gradio:
the request and the browser's storage come in as plain values; ui/context.py keeps them in the page).

A browser gets a random id on its first visit, kept in its own storage (gr.BrowserState, encrypted
with a secret that lives in the data folder so it survives restarts), together with the job it
shows: its *memory*, `{"id": …, "job": …}`.  From it and the login comes the `Visitor`:

* `owner` — whose jobs these are: the login with --auth; else, when others can reach the studio
  (--share, a --host other than loopback, a Space), this browser alone; else "" (one private
  library on a loopback install, as before);
* `holder` — who holds a key typed here: the login, or this browser.

A key typed into the page is held server-side in the session as a `SessionKey`, together with its
holder, so every job it starts is read with that key only and, after a restart, resumed only by the
same holder (r2v_ui/jobs/keys.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic_files import secret_file

BROWSER_STORAGE_KEY = "r2v-browser"


@dataclass(frozen=True)
class SessionKey:
    key: str = field(repr=False)
    holder: str

    def __repr__(self) -> str:  # never shows the key
        return f"SessionKey(holder={self.holder!r})"


def key_of(value: Any) -> str | None:
    return value.key if isinstance(value, SessionKey) else None


def holder_of_key(value: Any) -> str:
    return value.holder if isinstance(value, SessionKey) else ""


def new_browser_id() -> str:
    return secrets.token_urlsafe(18)


def holder(request: Any, browser_id: str | None) -> str:
    """The login when there is one (the same person in any browser), else this browser."""
    user = getattr(request, "username", None) if request is not None else None
    if user:
        return f"login:{user}"
    session = getattr(request, "session_hash", None) if request is not None else None
    return f"browser:{browser_id}" if browser_id else f"session:{session or ''}"


@dataclass(frozen=True)
class Visitor:
    owner: str
    holder: str
    browser: str


def new_memory(job: str | None = None) -> dict:
    return {"id": new_browser_id(), "job": job}


def remembered(memory: Any) -> dict:
    """This session's memory as it came in: `{"id": …, "job": …}`.  A browser's carries its id (read
    from its storage when the page loaded); an API client has no storage, so its memory has no id
    ("") and never gets one here: its owner stays its session, on every route (`visitor`)."""
    if isinstance(memory, dict):
        browser = memory.get("id") if isinstance(memory.get("id"), str) else ""
        return {"id": browser, "job": memory.get("job") if isinstance(memory.get("job"), str) else None}
    return {"id": "", "job": None}


def browser_memory(stored: Any) -> dict:
    """A browser's memory on page load, from its storage: a browser that has never been here (or
    whose storage holds no id) gets a new id, which the page then keeps in its storage."""
    memory = remembered(stored)
    return memory if memory["id"] else new_memory()


def visitor(request: Any, memory: Any, settings: Any) -> Visitor:
    """Who is asking.  The owner is the same for every route a client calls: a browser's id once its
    page has loaded, the session for an API client (which has no browser storage, so no id)."""
    user = getattr(request, "username", None) if request is not None else None
    browser = remembered(memory)["id"]
    if user:
        owner = user
    elif getattr(settings, "reachable_by_others", False):
        owner = f"browser:{browser}" if browser else f"session:{getattr(request, 'session_hash', '') or ''}"
    else:
        owner = ""
    return Visitor(owner=owner, holder=holder(request, browser or None), browser=browser)


def browser_secret(data_dir: Path) -> str:
    """The key that encrypts browser ids in the browser's storage, made once per data folder."""
    return secret_file(Path(data_dir) / "browser-state.secret", lambda: secrets.token_urlsafe(24))
