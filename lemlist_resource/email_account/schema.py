"""The EmailAccount property table, as the resource package names it (see :mod:`..rules.fields`)."""

from __future__ import annotations

from ..rules.fields import (
    CHECK_OUTPUTS,
    COMPUTED_OUTPUTS,
    DEFAULTS,
    FIELDS,
    FIELDS_BY_NAME,
    REPLACE_FIELDS,
    SECRET_FIELDS,
    STATUS_OUTPUTS,
    Field,
    Kind,
)

__all__ = [
    "CHECK_OUTPUTS",
    "COMPUTED_OUTPUTS",
    "DEFAULTS",
    "FIELDS",
    "FIELDS_BY_NAME",
    "REPLACE_FIELDS",
    "SECRET_FIELDS",
    "STATUS_OUTPUTS",
    "Field",
    "Kind",
]
