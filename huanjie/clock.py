"""The one clock seam of huanjie.

Nothing in the engine calls ``now()`` directly: services, steps and the scheduler take a
``Clock`` and ask it. Production uses :class:`SystemClock`; tests and the demo use
:class:`MovableClock` and move it.
"""

from __future__ import annotations

from typing import Protocol

import pendulum

TZ = pendulum.timezone("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> pendulum.DateTime: ...

    def today(self) -> pendulum.Date: ...


class SystemClock:
    """Wall-clock time in Asia/Shanghai."""

    def now(self) -> pendulum.DateTime:
        return pendulum.now(TZ)

    def today(self) -> pendulum.Date:
        return self.now().date()


class MovableClock:
    """A clock that stands still until it is moved (tests, demo, replays)."""

    def __init__(self, start: pendulum.DateTime | str) -> None:
        self._now = _as_shanghai(start)

    def now(self) -> pendulum.DateTime:
        return self._now

    def today(self) -> pendulum.Date:
        return self._now.date()

    def set(self, when: pendulum.DateTime | str) -> None:
        self._now = _as_shanghai(when)

    def advance(self, **delta: int) -> pendulum.DateTime:
        self._now = self._now.add(**delta)
        return self._now


def _as_shanghai(value: pendulum.DateTime | str) -> pendulum.DateTime:
    if isinstance(value, str):
        value = pendulum.parse(value, tz=TZ)
    return value.in_timezone(TZ)
