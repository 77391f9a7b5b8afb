"""The legal checks of domain.md §5, §6 and §6.1–6.3, by registered key.

``run_checks(keys, ctx)`` runs the checks a catalogue step names over a ``CheckContext`` and
returns every failure, each with a Chinese message naming the numbers and the clause. Each
``CheckSpec`` documents the facts it needs (``fields``) and may read (``optional``).
"""

from huanjie.steps.checks import (  # noqa: F401  (importing registers the checks)
    common, legal_dates, party_nominate, party_prep, party_vote, vc_after, vc_candidates, vc_prep, vc_vote,
)
from huanjie.steps.checks.registry import (
    CHECKS, LABELS, MISSING, CheckContext, CheckFailure, CheckSpec, FactProblem, check, run_checks,
)

__all__ = [
    "CHECKS",
    "LABELS",
    "MISSING",
    "CheckContext",
    "CheckFailure",
    "CheckSpec",
    "FactProblem",
    "check",
    "run_checks",
]
