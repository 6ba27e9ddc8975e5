"""The scheduled jobs under the name schedule files use: `func: zwgk.jobs:nightly`.

Operators' copies of schedule.yml name the jobs by this path, so it stays; the jobs themselves
live in zwgk/cycle/jobs.py with the rest of the nightly cycle.
"""

from zwgk.cycle.jobs import daily_report, monthly_report, nightly, probe, weekly_report

__all__ = ["daily_report", "monthly_report", "nightly", "probe", "weekly_report"]
