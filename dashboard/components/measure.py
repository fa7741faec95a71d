"""Charts for one measure: how each country's activities under it stand as of a year."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.theme import message_figure, narrow_title_patch, new_figure, with_narrow_layout
from etl.outputs.palette import COMPLETION_COLOUR, COVERAGE_COLOUR, GREY

# Up to this many countries with activities, the chart shows only them: a row of twelve empty slots around one
# bar says less than the bar alone. Beyond it, all 13 countries, so the gaps show.
FEW_COUNTRIES = 6


def measure_countries_figure(by_country: pd.DataFrame, countries: pd.DataFrame, title: str) -> go.Figure:
    """Activities under the measure per country: all, implemented (ongoing or completed), completed."""
    frame = countries.merge(by_country, left_on="iso3", right_on="country", how="left").fillna(
        {"activities_total": 0, "activities_implemented": 0, "activities_completed": 0}
    )
    engaged = frame[frame.activities_total > 0]
    if engaged.empty:
        return message_figure(title, "No country has an activity under this measure as of this year.")
    few = len(engaged) <= FEW_COUNTRIES
    if few:
        frame = engaged
        title = (
            f"{title}: the {len(engaged)} countries with activities" if len(engaged) > 1 else f"{title}: one country"
        )
    # Few bars leave room for the countries' names; all 13 go by ISO3 code, the name in the hover.
    labels = frame.name if few else frame.iso3
    # Nested bars, each centred on its country: completed within implemented within all activities (each count
    # holds the next). Grouped bars put a country's one non-zero bar beside its label, not above it.
    figure = new_figure(title, height=330, barmode="overlay", bargap=0.25)
    for column, name, colour, width in (
        ("activities_total", "Activities (not cancelled)", GREY, 0.75),
        ("activities_implemented", "Implemented (ongoing or completed)", COVERAGE_COLOUR, 0.5),
        ("activities_completed", "Completed", COMPLETION_COLOUR, 0.25),
    ):
        figure.add_bar(
            x=labels,
            y=frame[column],
            name=name,
            marker_color=colour,
            width=width,
            offset=-width / 2,
            customdata=frame.name,
            hovertemplate="%{customdata}: <b>%{y}</b> " + name.lower() + "<extra></extra>",
        )
    figure.update_xaxes(title_text="Country")
    # Whole activities only: a tick every activity while the counts are small.
    largest = float(frame.activities_total.max()) if len(frame) else 0.0
    figure.update_yaxes(title_text="Activities", rangemode="tozero", tickformat=",d", dtick=1 if largest <= 8 else None)
    figure.update_layout(legend={"y": -0.3, "yanchor": "top", "x": 0, "xanchor": "left"})
    # On a phone the countries go by ISO3 code, as all 13 do on any screen (the name is in the hover): six names
    # side by side were cut to "Cambodi" and "Myanma". The legend sits at the foot, below the axis title.
    narrow = narrow_title_patch(title) | {
        "xaxis.tickmode": "array",
        "xaxis.tickvals": labels.tolist(),
        "xaxis.ticktext": frame.iso3.tolist(),
        "xaxis.tickangle": 0,
        "legend.yref": "container",
        "legend.y": 0,
        "legend.yanchor": "bottom",
        "margin.b": 110,
        "height": 400,
    }
    return with_narrow_layout(figure, narrow)
