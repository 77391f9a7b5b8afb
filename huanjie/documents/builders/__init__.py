"""One builder per document: the facts it prints, checked, shaped for its template."""

from huanjie.documents.builders import party, vc  # noqa: F401  (register the builders)
from huanjie.documents.builders.base import BUILDERS, Builder

__all__ = ["BUILDERS", "Builder"]
