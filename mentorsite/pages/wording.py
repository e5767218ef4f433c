"""What a portfolio says differently in its two editions, chosen in one place.

The pair edition holds every record; the review edition only those the pair shared, so
its counts are of shared sessions and its empty sections say nothing was shared rather
than that nothing happened. The templates read these words as ``wording`` and do not
test the edition themselves: a program's own template gets the same words for free.
"""

from __future__ import annotations

from dataclasses import dataclass

from mentorsite.model.editions import Edition


@dataclass(frozen=True)
class EditionWording:
    """The words of one edition; an empty note is left out of the page."""

    site_prefix: str
    """Before the pair's names in the site name: 'Portfolio: Ana Silva and Ben Adler'."""
    sessions_label: str
    """The dashboard's line with the number of sessions."""
    no_sessions: str
    no_goals: str
    no_checkin: str
    without_cadence: str
    """Under the sessions chart when the sessions are not compared with a cadence."""
    meetings_note: str = ""
    """Before the dashboard's meeting figures."""
    actions_note: str = ""
    """Before the dashboard's action items."""
    goals_intro: str = ""
    sessions_intro: str = ""
    practices_note: str = ""
    """After the scorecard's introduction."""


WORDING: dict[Edition, EditionWording] = {
    "pair": EditionWording(
        site_prefix="Portfolio", sessions_label="Sessions held", no_sessions="No sessions held yet.",
        no_goals="No goals written yet.", no_checkin="No check-in recorded yet.",
        without_cadence="No agreed cadence to compare with."),
    "review": EditionWording(
        site_prefix="Review", sessions_label="Sessions shared", no_sessions="No sessions shared yet.",
        no_goals="No goals shared yet.", no_checkin="No check-in shared yet.",
        without_cadence="Shared sessions only, so they are not compared with the agreed cadence.",
        meetings_note="The shared sessions are a selection, so they are not measured against the agreed "
                      "cadence.",
        actions_note="From the shared sessions only.",
        goals_intro="The goals the pair shared with reviewers.",
        sessions_intro="The sessions the pair shared with reviewers.",
        practices_note="In this edition the checks read the shared records only, so checks that need every "
                       "session or check-in are not assessed."),
}
