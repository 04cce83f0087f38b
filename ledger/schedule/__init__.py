"""The unattended monthly cycle: schedule files, the action registry, the scheduler and its history.

``config`` turns ``schedules/*.toml`` into validated job definitions, ``actions`` maps action names
to library calls, ``runner`` drives APScheduler 3 (job store in the workspace database, one
scheduler per workspace) and ``history`` records every job run in ``job_runs``.
"""
