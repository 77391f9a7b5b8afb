"""Each launched village's derived summary, kept current in the transaction of every change.

What the rules of huanjie.service.progress read of a village's steps (its ``Tally``), less
what depends on the day: which stages have a step, an open step, a started step; whether a
step is blocked or waits at a gate; an open rejection; the P1.1 assessment; and the due days
of its open steps. The board reads these few thousand rows instead of a county's hundred
thousand step rows and applies today's date (overdue) at read time
(huanjie.service.summaries).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel


class VillageSummaryRow(SQLModel, table=True):
    """Derived data: it goes with its village (ON DELETE CASCADE)."""

    __tablename__ = "village_summary"
    village_id: int = Field(sa_column=Column(Integer, ForeignKey("village.id", ondelete="CASCADE"), primary_key=True))
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False,
                                              index=True))
    present: str = Field(default="", max_length=200)       # stage keys, space-separated
    open_stages: str = Field(default="", max_length=200)
    started: str = Field(default="", max_length=200)
    blocked: bool = False
    awaiting: bool = False
    rejected: bool = False
    assessed: str | None = Field(default=None, max_length=20)
    open_dues: str = Field(default="")                     # "YYYY-MM-DD" or "YYYY-MM-DD!" (statutory), sorted
