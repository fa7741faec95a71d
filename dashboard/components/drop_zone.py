"""The drop zone a page takes uploaded files in: the types and size the upload checks accept."""

from __future__ import annotations

from dash import dcc, html

from dashboard import uploads


def drop_zone(component_id: str, prompt: str, *, multiple: bool) -> dcc.Upload:
    """A dashed `.upload-drop` zone saying `prompt, or choose a file` (files, when it takes several)."""
    return dcc.Upload(
        id=component_id,
        children=html.Div([f"{prompt}, or ", html.A("choose files" if multiple else "choose a file")]),
        multiple=multiple,
        # The browser's file chooser offers only what check_file accepts, and refuses a file over the limit.
        accept=",".join(uploads.ALLOWED_EXTENSIONS),
        max_size=uploads.max_upload_bytes(),
        className="upload-drop",
    )
