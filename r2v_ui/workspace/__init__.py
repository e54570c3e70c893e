"""The workspace layer: what the page (`r2v_ui/ui/`) and MCP (`r2v_ui/mcp/`) share, with no Gradio in it.

A typed, frozen `Card` for each character on the cast, the step from the form to a `JobDraft`, the
refusals said before anything is sent, the start checks (repeat, confirm), typed queries on a job's
snapshot, and the names a person can file a download under.  Lower layers (`jobs/`, `store`, `media`,
`hosting`) are below it; `ui/` and `mcp/` are above it and never import each other.
"""
