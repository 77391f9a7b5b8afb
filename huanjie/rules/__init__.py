"""Rule profiles: every statutory number of the 两委换届 with the clause it comes from.

A campaign runs under one profile (``national`` or a province's, domain.md §3). Values are
data in ``profiles/<code>.yaml``; code reads them with ``load_profile(code)[name]``.
"""

from huanjie.rules.loader import load_profile, profile_codes
from huanjie.rules.model import Param, ProfileError, Range, Ratio, RuleProfile, chinese_number
from huanjie.rules.schema import SCHEMA, ParamSpec

__all__ = [
    "SCHEMA",
    "Param",
    "ParamSpec",
    "ProfileError",
    "Range",
    "Ratio",
    "RuleProfile",
    "chinese_number",
    "load_profile",
    "profile_codes",
]
