"""The screening room (issue 22): share a finished job, a batch of takes or a Compare set as a link
`/s/<token>` that anyone with it can open without a login; viewers pick a take and leave notes.

    model.py      the vocabulary: ShareLink, Pick, Note, Feedback, Expiry, the limits, ShareError
    passwords.py  a link's password as a salted scrypt hash, checked in constant time
    service.py    ShareService: the rules, over the store's share rows (store/shares.py)
    routes.py     the Starlette routes /s/<token>…, outside Gradio and its login
    page.py       the share page, server-rendered HTML in the viewer's language

This package file imports nothing (the store imports model.py, and service.py takes a store)."""
