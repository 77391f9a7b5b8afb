"""Telling this process's worker that cases were woken, so that it runs them now, not at its next poll.

What counts is the store: ``wake`` adds one to ``Case.wake`` in the caller's transaction, and
a worker anywhere runs the case at its next look (huanjie.service.claims). A worker in the same
process as the change (``huanjie serve``'s, huanjie.web.background) is also told at once: once
the transaction commits, the case ids go to the store's ``Wakeup``, which its prompt lane
(huanjie.flows.worker.PromptLane) waits on. A rolled-back transaction tells no one.
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

_WOKEN = "huanjie.wakeup.woken"


class Wakeup:
    """Case ids woken in this process and not yet taken, and a wait for the next ones. Ids
    woken ``first`` (a gate decision: someone waits for its next step) are taken before the
    others (records, which come in bulk), in a round of their own."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._first: dict[int, None] = {}  # in order, once each
        self._woken: dict[int, None] = {}
        self._interrupted = False

    def notify(self, case_ids, *, first: bool = False) -> None:
        with self._cond:
            (self._first if first else self._woken).update(dict.fromkeys(case_ids))
            self._cond.notify_all()

    def interrupt(self) -> None:
        """End a ``wait`` now (the worker is stopping)."""
        with self._cond:
            self._interrupted = True
            self._cond.notify_all()

    def wait(self, timeout: float | None) -> list[int]:
        """The woken case ids (taken: the next wait waits for new ones), waiting up to ``timeout``
        seconds for some; [] when none came or the wait was interrupted."""
        with self._cond:
            if not self._first and not self._woken and not self._interrupted:
                self._cond.wait(timeout)
            self._interrupted = False
            if self._first:
                woken, self._first = list(self._first), {}
                for case_id in woken:
                    self._woken.pop(case_id, None)
            else:
                woken, self._woken = list(self._woken), {}
            return woken


_by_engine: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def wakeup_for(engine) -> Wakeup:
    """The ``Wakeup`` of the store behind ``engine`` in this process."""
    with _lock:
        found = _by_engine.get(engine)
        if found is None:
            found = _by_engine[engine] = Wakeup()
        return found


def wake(session, case, *, first: bool = False) -> None:
    """Ask for a run of ``case`` (in the caller's transaction); this process's worker is told on
    commit (``first``: before the cases records woke)."""
    case.wake += 1
    session.add(case)
    session.info.setdefault(_WOKEN, []).append((case.id, first))


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session) -> None:
    woken = session.info.pop(_WOKEN, None)
    if woken:
        wakeup = wakeup_for(session.get_bind())
        wakeup.notify([c for c, first in woken if first], first=True)
        wakeup.notify([c for c, first in woken if not first])


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_WOKEN, None)
