"""Audit: verify the hash chains, replay a village from its events, its timeline, signed exports.

Auditors (and the county office) only read: every function here opens a read-only session
(``huanjie.store.db.reading``) through ``huanjie.audit.access.audit_session``.
"""

from huanjie.audit.check import Difference, check_village, compare, replay_village, stored_state
from huanjie.audit.export import ExportResult, export_archive
from huanjie.audit.export_check import ExportCheck, verify_export
from huanjie.audit.history import AuditEvent, village_events
from huanjie.audit.keys import generate_keypair
from huanjie.audit.replay import replay
from huanjie.audit.timeline import LogEntry, mask, timeline, village_log
from huanjie.audit.verify import ChainBreak, ChainReport, VerifyReport, verify

__all__ = [
    "AuditEvent", "ChainBreak", "ChainReport", "Difference", "ExportCheck", "ExportResult", "LogEntry",
    "VerifyReport", "check_village", "compare", "export_archive", "generate_keypair", "mask", "replay",
    "replay_village", "stored_state", "timeline", "verify", "verify_export", "village_events", "village_log",
]
