"""The runner's policy, as pure functions: which occurrences are due, which fire, which are
recorded missed or skipped (DESIGN.md §3: catch-up and overlap). No I/O, no clock reads."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from agentcron.backends.local.store import (
    ClaimPlan,
    Occurrence,
    PauseState,
    TaskRow,
    from_db,
    to_db,
)
from agentcron.cadence.compiled import IntervalTimeline, OnceTimeline, Timeline, compiled_cron
from agentcron.models import Schedule

# A run up to this late is simply late (a busy or briefly paused runner), not missed.
MISFIRE_TOLERANCE = timedelta(seconds=60)
# catch_up="latest" fires the newest missed occurrence only if it is at most this old.
CATCH_UP_GRACE = timedelta(hours=1)
# catch_up="all" fires at most this many missed occurrences (the newest); older ones are missed.
CATCH_UP_ALL_LIMIT = 100
# At most this many occurrences are listed one by one after a long downtime.
MAX_OCCURRENCES_LISTED = 1000


def schedule_of(task: TaskRow) -> Schedule:
    return Schedule(
        kind=task.kind,  # type: ignore[arg-type]
        cron=task.cron,
        timezone=task.timezone,
        interval_seconds=task.interval_seconds,
        run_at=task.run_at,
        rrule=task.rrule,
        starts_at=task.starts_at,
    )


def timeline_of(task: TaskRow) -> Timeline:
    """The task's schedule, compiled (cron schedules are shared by every task using them)."""
    if task.kind == "cron":
        assert task.cron is not None
        return compiled_cron(task.cron, task.timezone)
    if task.kind == "interval":
        assert task.interval_seconds is not None
        return IntervalTimeline(task.interval_seconds, from_db(task.anchor_at))
    if task.kind == "once":
        assert task.run_at is not None
        return OnceTimeline(datetime.fromisoformat(task.run_at))
    if task.kind == "rrule":
        from agentcron.cadence.rrule.evaluate import compile_rule  # dateutil: loaded at first use

        assert task.rrule is not None and task.starts_at is not None
        return compile_rule(task.rrule, task.starts_at, task.timezone)
    raise ValueError(f"task {task.id} has a schedule kind this runner cannot fire: {task.kind}")


def first_due_after(task: TaskRow, after: datetime) -> datetime | None:
    """The task's first occurrence strictly after `after` (None: nothing is left to fire)."""
    return timeline_of(task).next_after(after)


def due_occurrences(task: TaskRow, now: datetime) -> tuple[list[datetime], int, datetime | None]:
    """Occurrences from next_due up to `now`, how many older ones were not listed, and the next.

    After a long downtime only the newest MAX_OCCURRENCES_LISTED are listed one by one.
    """
    assert task.next_due is not None
    timeline = timeline_of(task)
    due: deque[datetime] = deque([from_db(task.next_due)], maxlen=MAX_OCCURRENCES_LISTED)
    seen = 1
    while True:
        upcoming = timeline.next_after(due[-1])
        if upcoming is None or upcoming > now:
            return list(due), seen - len(due), upcoming
        due.append(upcoming)
        seen += 1


def plan_task(task: TaskRow, active: set[str], now: datetime,
              paused: PauseState | None = None) -> ClaimPlan:
    """Decide every due occurrence of one task: fire (running/queued), skipped or missed.

    Under the global pause every due occurrence is recorded skipped, and the task moves on:
    nothing is caught up when the pause ends (DESIGN.md §9).
    """
    due, unlisted, upcoming = due_occurrences(task, now)
    if paused is not None:
        error = (f"paused globally {paused.describe()} "
                 "(agentcron pause-all; agentcron resume-all lifts it)")
        return ClaimPlan(
            occurrences=[Occurrence(to_db(o), "skipped", error) for o in due],
            next_due=to_db(upcoming) if upcoming else None,
            enabled=upcoming is not None,
        )
    on_time = [o for o in due if now - o <= MISFIRE_TOLERANCE]
    late = [o for o in due if now - o > MISFIRE_TOLERANCE]
    to_fire, missed = _apply_catch_up(task.catch_up, on_time, late, now)
    occurrences = [
        Occurrence(to_db(o), "missed", _missed_reason(task.catch_up)) for o in missed
    ]
    if unlisted:
        occurrences.insert(0, Occurrence(
            to_db(missed[0] - timedelta(microseconds=1)) if missed else to_db(due[0]),
            "missed",
            f"missed: {unlisted} earlier occurrences passed while no runner was running "
            "(not listed one by one)",
        ))
    occurrences += _apply_overlap(task.overlap, to_fire, active)
    fired = [o for o in occurrences if o.status in ("running", "queued")]
    return ClaimPlan(
        occurrences=occurrences,
        next_due=to_db(upcoming) if upcoming else None,
        enabled=upcoming is not None,  # a one-off, or a rule past its end, disables its task
        last_run_at=fired[-1].scheduled_for if fired else None,
    )


def _apply_catch_up(
    policy: str, on_time: list[datetime], late: list[datetime], now: datetime
) -> tuple[list[datetime], list[datetime]]:
    """Split due occurrences into (fire, missed) per the task's catch_up policy."""
    if not late or policy == "skip":
        return on_time, late
    if policy == "latest":
        newest = late[-1]
        if not on_time and now - newest <= CATCH_UP_GRACE:
            return [newest], late[:-1]
        return on_time, late
    kept = late[-CATCH_UP_ALL_LIMIT:]
    return kept + on_time, late[: len(late) - len(kept)]


def _apply_overlap(policy: str, to_fire: list[datetime], active: set[str]) -> list[Occurrence]:
    """Statuses for the occurrences to fire, given runs of the task still running or queued."""
    decided: list[Occurrence] = []
    running = "running" in active or "retrying" in active  # between attempts is still going
    queued = "queued" in active
    for instant in to_fire:
        when = to_db(instant)
        if policy == "allow":
            decided.append(Occurrence(when, "running"))
        elif not running and not queued:
            decided.append(Occurrence(when, "running"))
            running = True
        elif policy == "queue" and not queued:
            decided.append(Occurrence(when, "queued"))
            queued = True
        elif len(to_fire) > 1 and decided:
            # Several occurrences in one pass (catch_up="all"): run them one after another.
            decided.append(Occurrence(when, "queued"))
        else:
            decided.append(Occurrence(
                when, "skipped",
                f"skipped: the previous run was still {'running' if running else 'queued'} "
                f"(overlap policy '{policy}')",
            ))
    return decided


def _missed_reason(policy: str) -> str:
    return (
        "missed: no runner was running at the scheduled time "
        f"(catch_up policy '{policy}'; grace window {int(CATCH_UP_GRACE.total_seconds() // 60)} min)"
    )
