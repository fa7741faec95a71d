"""The drop zone a page takes uploaded files in: the types and size the upload checks accept."""

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
        # The browser's file chooser offers only what check_file accepts, and refuses a file over the limit.
        accept=",".join(uploads.ALLOWED_EXTENSIONS),
        max_size=uploads.max_upload_bytes(),
        className="upload-drop",
    )
