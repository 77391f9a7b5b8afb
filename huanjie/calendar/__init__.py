"""Legal time: the official holiday calendar, working days and statutory periods (domain.md §2)."""

from huanjie.calendar.data_file import CalendarDataError
from huanjie.calendar.legal import DayInfo, LegalCalendar, LegalDate, load_calendar

__all__ = ["CalendarDataError", "DayInfo", "LegalCalendar", "LegalDate", "load_calendar"]
