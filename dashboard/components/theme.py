"""The dashboard's look: the plotly template and graph toolbar, status badges and wording, number formats.

The colours themselves are etl/outputs/palette.py's, shared with the progress report.
"""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go
import plotly.io as pio

from etl.outputs.pace import pace_figure
from etl.outputs.palette import BLACK, PALETTE, STATUS_COLOURS, TARGET_COLOUR
from etl.plan.labels import wrap

# The badge colour of each progress status band: the charts' own status colours, with black text on every one of
# them (.status-badge in the stylesheet; palette.text_colour_on picks black for all, at 5.4:1 or more).
STATUS_BADGES = dict(STATUS_COLOURS)
# What each status means, in a sentence a CPR member reads beside the badge.
STATUS_WORDING = {
    "on track": "delivering as fast as the schedule expects",
    "acceleration needed": "delivering, but slower than the schedule expects",
    "limited progress": "well behind what the schedule expects",
    "not yet due": "nothing it took up is expected yet by the schedule",
    "no commitments": "took up no measure here and leads none",
    "insufficient data": "too few returns to judge",
}


def pace_text(pace: float | None) -> str:
    """'pace 1.25' (to two decimals, never rounded across a status threshold, as the report shows it:
    etl/outputs/pace.py), or what stands in for a pace the view leaves empty (nothing expected yet)."""
    if pace is None or (isinstance(pace, float) and math.isnan(pace)):
        return "no pace yet"
    return f"pace {pace_figure(pace)}"


TEMPLATE_NAME = "aptmon"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Labels on coloured cells and tiles are black: every fill of the palette takes black text at 4.5:1 or more, while
# plotly's own choice (white on anything darker than mid-grey) gave 3.4:1 on the green.
_LABEL_FONT = {"color": BLACK}

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    data={
        "heatmap": [{"textfont": _LABEL_FONT}],
        "treemap": [{"insidetextfont": _LABEL_FONT, "outsidetextfont": _LABEL_FONT}],
        "bar": [{"insidetextfont": _LABEL_FONT}],
    },
    layout=go.Layout(
        # The toolbar's icons at 7:1 (plotly's own grey is 1.7:1 on white), the hovered one in the navigation's blue.
        modebar={"color": "#495057", "activecolor": "#0A3A78", "bgcolor": "rgba(255,255,255,0.9)"},
        # A label that would shrink below 9 px to fit its tile or bar is hidden instead (the chart's table has it):
        # at 200% zoom the treemap's measure labels shrank to 5.6 px.
        uniformtext={"minsize": 9, "mode": "hide"},
        font={"family": FONT, "size": 13, "color": "#212529"},
        title={"font": {"size": 16}, "x": 0, "xanchor": "left", "pad": {"l": 4}},
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 60, "r": 20, "t": 56, "b": 50},
        hoverlabel={"font": {"family": FONT, "size": 13}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        xaxis={"showgrid": False, "linecolor": "#adb5bd", "ticks": "outside", "automargin": True},
        yaxis={"gridcolor": "#e9ecef", "zeroline": False, "automargin": True},
    ),
)

# The toolbar keeps only its PNG download: one tab stop per chart instead of seven (zoom, pan and reset are a mouse's
# tools; the numbers are in the table under each chart), and always shown, as a control that appears only on hover
# would take the focus unseen.
GRAPH_CONFIG = {
    "displaylogo": False,
    "displayModeBar": True,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "responsive": True,
}


def build_figure(title: str, traces: list[dict], **layout) -> go.Figure:
    """A figure from plain trace and layout dicts in the project template, built without plotly's per-property
    validation (it costs more than the query behind a chart); the builders' tests check what they produce."""
    full_layout = {"template": pio.templates[TEMPLATE_NAME], "title": {"text": title}} | layout
    return go.Figure(data=traces, layout=full_layout, _validate=False)


# Below this width of its own (a phone, or a half-page column at 200% zoom) a chart takes its narrow layout: plotly
# neither wraps a title nor reflows subplots, so a figure says in layout.meta.narrow what changes there, and
# dashboard/assets/45-narrow-charts.js applies it (and takes it back when the chart is wide again), WCAG 1.4.10.
NARROW_WIDTH = 576
# Characters per line of a title, an axis title or a label in the narrow layout: about 330 px at 16 px.
NARROW_TITLE_CHARACTERS = 38
_TITLE_LINE_PX = 21
_TITLE_PAD = 24


def narrow_title(title: str, width: int = NARROW_TITLE_CHARACTERS) -> str:
    """A title's text wrapped onto lines of about `width` characters, its <br> lines and a styled span's words (a
    scope under the title) each wrapped on their own."""
    lines = []
    for line in title.split("<br>"):
        span = re.fullmatch(r"(<span[^>]*>)(.*)(</span>)", line)
        if span:
            lines.append(span.group(1) + wrap(span.group(2), width + 6) + span.group(3))
        else:
            lines.append(wrap(line, width))
    return "<br>".join(lines)


def narrow_title_patch(title: str, top_margin_below_title: int = 24) -> dict:
    """The narrow layout's title, wrapped and hung from the top of the figure, with a top margin that clears it."""
    text = narrow_title(title)
    lines = text.count("<br>") + 1
    return {
        "title.text": text,
        "title.yref": "container",
        "title.y": 1,
        "title.yanchor": "top",
        # Plotly hangs a title of several lines from its first line's middle, not its top: the pad takes that
        # half line as well (with 8 px it began 7 px above the figure).
        "title.pad.t": _TITLE_PAD,
        "margin.t": _TITLE_PAD + lines * _TITLE_LINE_PX + top_margin_below_title,
    }


def with_narrow_layout(figure: go.Figure, patch: dict) -> go.Figure:
    """`figure` carrying `patch`, plotly relayout updates in attribute strings ("xaxis.tickvals", "annotations[2].y"),
    for 45-narrow-charts.js to apply when the chart is narrower than NARROW_WIDTH."""
    figure.layout.meta = {"narrow": patch, "narrowWidth": NARROW_WIDTH}
    return figure


def reference_line(x: float, label: str) -> tuple[dict, dict]:
    """A dashed vertical line across the plot at x (a shape) and its label above it (an annotation)."""
    shape = {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
    }
    note = {"x": x, "y": 1, "xref": "x", "yref": "paper", "text": label, "showarrow": False, "yanchor": "bottom"}
    return shape, note


def new_figure(title: str, **layout) -> go.Figure:
    """An empty figure in the project template with a title."""
    figure = go.Figure()
    figure.update_layout(template=TEMPLATE_NAME, title={"text": title}, **layout)
    return figure


def pct(value: float | None, digits: int = 0) -> str:
    """A rate as a percentage, or an en dash when it is undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{digits}f}%"


def message_figure(title: str, message: str) -> go.Figure:
    """A blank chart that says why it is blank and what to do."""
    figure = new_figure(title, height=260)
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
