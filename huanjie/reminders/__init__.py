"""Automatic reminders and the weekly digest (每周重点工作提醒, domain.md §8).

- ``fire_due(ctx, now, notify=...)``: the idempotent sweep the scheduler calls.
- ``issue_digest`` / ``preview_digest``: one digest by hand (``huanjie digest``).
- ``delivery_problems(ctx, campaign_code=None)``: failed deliveries, for ``huanjie status``.
- ``run_scheduler(ctx, notify)``: ``huanjie scheduler``.
"""

from huanjie.reminders.deliver import Notify, deliver_due, delivery_problems
from huanjie.reminders.sweep import fire_due, issue_digest, preview_digest

__all__ = ["Notify", "deliver_due", "delivery_problems", "fire_due", "issue_digest", "preview_digest"]
