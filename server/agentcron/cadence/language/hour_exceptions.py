"""Rules for leaving times of day out of an hourly schedule: 'every hour except midnight',
'every 2 hours except at 2am and 4am', 'hourly but not at noon'.

Why only hourly: there each excluded time is one run, so leaving it out is exact (cron's hour
list without that hour). A time that is not one of the runs, or an excluded span ('except
between 1am and 5am', where the edges could go either way), is refused with a wording that
works.
"""

from __future__ import annotations

from agentcron.cadence.language.recogniser import GrammarBase
from agentcron.cadence.language.timeofday import read_time
from agentcron.errors import ScheduleError


class HourExceptionRules(GrammarBase):
    """'except (at) <times>' after an hourly cadence."""

    def _except_time(self, index: int) -> int | None:
        pos = self._after_except(index)
        if pos is None:
            return None
        if self.w(pos) in ("between", "from"):
            raise ScheduleError(
                f"{self.text(index, min(pos + 4, len(self.t)))!r}: say the hours it runs "
                "instead, e.g. 'every hour from 5am to midnight' (a window keeps its ends)."
            )
        loose = self.w(pos) == "at"
        pos = self._skip(pos, "at", "on", "the")
        first = read_time(self.t, pos, loose=loose)
        if first is None:
            return None
        times, end = [first[0]], first[1]
        while (sep := self._list_separator(end)) is not None:
            nxt = read_time(self.t, self._skip(sep, "at"), loose=True)
            if nxt is None:
                break
            times.append(nxt[0])
            end = nxt[1]
        for raw in times:
            plain = raw.meridiem is None and raw.period is None and not raw.fixed
            if plain and 1 <= raw.hour <= 12 and ":" not in raw.text:
                raise ScheduleError(
                    f"{self.text(index, end)!r} is ambiguous: {raw.hour:02d}:00 or "
                    f"{raw.hour + 12 if raw.hour < 12 else 0:02d}:00? Say e.g. 'except at "
                    f"{raw.hour}am' or 'except at {raw.hour}pm'."
                )
        self.spec.except_times.extend(times)
        self.spec.except_times_text = self.text(index, end)
        return end
