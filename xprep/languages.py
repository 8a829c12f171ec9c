"""The language codes xprep can name, and the check that every language given to it passes.

The codes come from the MT language tables (:mod:`xprep.mt.langcodes`) and the catalogs (the XTREME targets,
the native datasets), so this module sits above both; :mod:`xprep.owned` keeps the path-safety checks.
"""

from __future__ import annotations

import difflib

from xprep.errors import UnknownNameError
from xprep.mt.langcodes import FLORES, ISO3, normalise
from xprep.native import NATIVE
from xprep.owned import check_name
from xprep.tasks.targets import TARGETS


def known_languages() -> frozenset[str]:
    """Every language code xprep can name: ISO 639-1/3 and FLORES-200 codes of its tables, and the
    languages of the XTREME targets and native datasets."""
    codes = set(FLORES) | set(FLORES.values()) | set(ISO3.values())
    for registry in (TARGETS, NATIVE):
        for name in registry:
            codes.update(code for code in registry.get(name).langs if code != "*")
    return frozenset(codes)


def check_language(value: object, where: str | None = None) -> str:
    """A language code that is safe in a path and known (see :func:`known_languages`), normalised."""
    code = normalise(check_name(value, "language", where))
    known = known_languages()
    if code not in known:
        close = difflib.get_close_matches(code, sorted(known), n=3)
        raise UnknownNameError(
            f"unknown language '{code}'",
            where=where,
            hint=(f"did you mean {', '.join(close)}? " if close else "") + "ISO 639-1/3 or FLORES-200 codes",
        )
    return code
