"""Stable content hashes (SHA-256); never Python's salted ``hash()``."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def stable_hash(*parts: Any, length: int = 64) -> str:
    """Hex SHA-256 over ``parts`` (strings as-is, anything else as canonical JSON), cut to ``length``."""
    h = hashlib.sha256()
    for part in parts:
        text = part if isinstance(part, str) else json.dumps(part, sort_keys=True, ensure_ascii=False)
        h.update(text.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]
