"""Logging without personal data: numbers shown by their last four digits, errors without the
text that may carry what a person wrote. Used by every part that logs."""

from __future__ import annotations

import logging
import traceback


def mask_phone(phone: str) -> str:
    """Only the last 4 digits, so logs don't hold patients' numbers."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"…{digits[-4:]}" if digits else "…"


def log_failure(logger: logging.Logger, where: str, phone: str | None, exc: BaseException) -> None:
    """The error without its message: exception text can carry what the person wrote."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s failed for %s: %s\n%s", where, mask_phone(phone or ""),
                 type(exc).__name__, frames)
