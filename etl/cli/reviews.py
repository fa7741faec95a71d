"""`aptmon reviews ...`: the CPR Plus Three review meetings."""

from __future__ import annotations

from datetime import datetime

import click

from etl.cli.options import plan_option, warehouse_option


@click.group()
def reviews() -> None:
    """Record the CPR Plus Three meetings that review the plan; the dashboard compares the data between two.

    \b
    Example:
        aptmon reviews add 2017-06-15 --title "CPR Plus Three, June 2017"
        aptmon reviews list
    """


@reviews.command("add")
@click.argument("meeting_on", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--title", default="", help="What the meeting is called (default: from its date).")
@click.option("--by", "recorded_by", default=None, help="Who records it (default: the login name).")
@plan_option
@warehouse_option
def reviews_add(
    meeting_on: datetime, title: str, recorded_by: str | None, plan_id: str | None, warehouse_file: str | None
) -> None:
    """Record a review meeting held on a date (YYYY-MM-DD).

    \b
    Example:
        aptmon reviews add 2017-06-15 --title "CPR Plus Three, June 2017"
    """
    import getpass

    from etl.reviews import add_meeting

    meeting = add_meeting(meeting_on.date(), title, recorded_by or getpass.getuser(), warehouse_file, plan_id)
    click.echo(f"Recorded {meeting.title} on {meeting.meeting_on:%Y-%m-%d}.")


@reviews.command("remove")
@click.argument("meeting_on", type=click.DateTime(formats=["%Y-%m-%d"]))
@warehouse_option
def reviews_remove(meeting_on: datetime, warehouse_file: str | None) -> None:
    """Remove the meeting recorded on a date.

    \b
    Example:
        aptmon reviews remove 2017-06-15
    """
    from etl.reviews import remove_meeting

    remove_meeting(meeting_on.date(), warehouse_file)
    click.echo(f"Removed the meeting of {meeting_on:%Y-%m-%d}.")


@reviews.command("list")
@plan_option
@warehouse_option
def reviews_list(plan_id: str | None, warehouse_file: str | None) -> None:
    """Print the recorded review meetings, the latest first.

    \b
    Example:
        aptmon reviews list
    """
    from etl.reviews import list_meetings

    meetings = list_meetings(warehouse_file, plan_id)
    if not meetings:
        click.echo("No review meeting recorded yet; add one with `aptmon reviews add YYYY-MM-DD`.")
    for meeting in meetings:
        click.echo(f"{meeting.meeting_on:%Y-%m-%d}  {meeting.title}  (recorded by {meeting.recorded_by})")
