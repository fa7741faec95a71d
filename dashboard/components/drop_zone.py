"""The drop zone a page takes uploaded files in: any type (the upload check answers each), up to the size limit."""

from __future__ import annotations

from dash import dcc, html

from dashboard import uploads

CHOOSE = {True: "choose files", False: "choose a file"}


def drop_zone(component_id: str, prompt: str, *, multiple: bool) -> html.Div:
    """A dashed `.upload-drop` zone saying `prompt, or choose a file` (files, when it takes several), and under it
    the line that says so when a file is over the size limit (dashboard/assets/30-drop-zone.js writes it)."""
    limit = uploads.max_upload_bytes()
    upload = dcc.Upload(
        id=component_id,
        # Words styled as a link, not an <a> without a target: the whole zone is the control (its file input takes the
        # focus, and Enter or Space opens the chooser: dashboard/assets/30-accessible-controls.js).
        children=html.Div([f"{prompt}, or ", html.Span(CHOOSE[multiple], className="choose")]),
        multiple=multiple,
        # No `accept`: the browser would drop a file of another type without a word (a .txt or .pdf left the last
        # result on screen). Every type reaches check_file, whose refusal names the file and the types it takes.
        # A file over the limit is refused here, before the browser reads it into memory; the line below says so.
        max_size=limit,
        className="upload-drop",
    )
    too_large = html.Div(id=f"{component_id}-too-large", role="alert", className="upload-too-large")
    # data-upload-id: dashboard/assets/30-drop-zone.js empties the Upload's contents when files come, so the same
    # file chosen again is a change Dash answers (a check, a new result) instead of nothing.
    zone = {"data-max-bytes": str(limit), "data-upload-id": component_id}
    return html.Div([upload, too_large], className="upload-zone", **zone)
