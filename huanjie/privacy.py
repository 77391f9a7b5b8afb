"""身份证号 never leave the machine unmasked: in messages, logs, errors and audit views.

There is one mask (``huanjie.documents.identity.mask_id``: 110105********0021); this module
applies it to whatever carries personal data: a message, a payload at any depth, and a
身份证号 that a YAML or CSV reader turned into an integer.
"""

from __future__ import annotations

from typing import Any

from huanjie.documents.identity import mask_id


def mask_text(text: str) -> str:
    return mask_id(text)


def mask(value: Any) -> Any:
    """``value`` with every 身份证号-looking string (or 18-digit integer) masked, at any depth."""
    if isinstance(value, str):
        return mask_id(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        text = str(value)
        masked = mask_id(text)
        return masked if masked != text else value
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    return value
