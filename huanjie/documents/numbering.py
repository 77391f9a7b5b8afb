"""文号: "城关镇选字〔2026〕3号", one gap-free sequence per issuing body and year.

``next_number`` increments the body's counter row with one atomic upsert inside the
caller's transaction: on PostgreSQL the row stays locked until commit, on SQLite every
write transaction holds the database's write lock (BEGIN IMMEDIATE). A rollback undoes
the increment together with the document that used it, so there are no gaps either.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

_UPSERT = text(
    "INSERT INTO document_number_counter (issuer, year, last) VALUES (:issuer, :year, 1) "
    "ON CONFLICT (issuer, year) DO UPDATE SET last = document_number_counter.last + 1 "
    "RETURNING last"
)


@dataclass(frozen=True)
class Issuer:
    """An issuing body: ``key`` identifies it across campaigns, ``prefix`` starts its 文号."""

    key: str     # e.g. "示范县/城关镇/党委"
    name: str    # 中共城关镇委员会
    prefix: str  # 城关镇选字
    masthead: str = ""  # 红头 (发文机关标志); empty: the name
    printer: str = ""   # 印发机关 of the 版记; empty: the name

    @property
    def masthead_text(self) -> str:
        return self.masthead or self.name

    @property
    def printer_text(self) -> str:
        return self.printer or self.name

    def format(self, year: int, seq: int) -> str:
        return f"{self.prefix}〔{year}〕{seq}号"


def next_number(session: Session, issuer: Issuer, year: int) -> str:
    seq = session.execute(_UPSERT, {"issuer": issuer.key, "year": year}).scalar_one()
    return issuer.format(year, seq)
