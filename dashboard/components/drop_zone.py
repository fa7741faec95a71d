"""The drop zone a page takes uploaded files in: any type (the upload check answers each), up to the size limit."""

from __future__ import annotations

from dash import dcc, html

from dashboard import uploads

CHOOSE = {True: "choose files", False: "choose a file"}


def drop_zone(component_id: str, prompt: str, *, multiple: bool) -> dcc.Upload:
    """A dashed `.upload-drop` zone saying `prompt, or choose a file` (files, when it takes several)."""
    return dcc.Upload(
        id=component_id,
        # Words styled as a link, not an <a> without a target: the whole zone is the control (its file input takes the
        # focus, and Enter or Space opens the chooser: dashboard/assets/30-accessible-controls.js).
        children=html.Div([f"{prompt}, or ", html.Span(CHOOSE[multiple], className="choose")]),
        multiple=multiple,
        # No `accept`: the browser would drop a file of another type without a word (a .txt or .pdf left the last
        # result on screen). Every type reaches check_file, whose refusal names the file and the types it takes.
        # A file over the limit is still refused here, before the browser reads it into memory.
        max_size=uploads.max_upload_bytes(),
        className="upload-drop",
    )
