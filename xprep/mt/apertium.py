"""Apertium (rule-based MT, GPL, Debian packages) behind the same engine interface as CTranslate2.

``--model apertium`` picks the mode from the languages (en->es: ``eng-spa``); ``--model apertium:eng-cat``
names one. Segments are sent one per line through ``apertium -u MODE`` (``-u``: unknown words are
copied without ``*`` marks); Apertium keeps lines one to one. It is not the fast path: it exists so
the whole pipeline, projection included, runs on real translations with no model hub.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import MissingDependencyError, ModelError
from xprep.hashing import stable_hash
from xprep.mt import langcodes
from xprep.mt.families import Family

# Apertium names pairs in ISO 639-3
ISO3 = {**langcodes.ISO3, "oc": "oci", "nn": "nno", "an": "arg", "ast": "ast"}
INSTALL_HINT = "apt-get install apertium apertium-eng-spa apertium-eng-cat (Debian/Ubuntu)"

APERTIUM = Family("apertium", "Apertium rule-based MT (Debian packages), mode per language pair", "", "", ())


def is_apertium(model: str | Path) -> bool:
    """Whether a ``--model`` value names Apertium rather than a CTranslate2 folder."""
    return str(model) == "apertium" or str(model).startswith("apertium:")


def installed_modes() -> set[str]:
    """Modes ``apertium -l`` lists (empty when Apertium is not installed)."""
    if shutil.which("apertium") is None:
        return set()
    out = subprocess.run(["apertium", "-l"], capture_output=True, text=True, check=False).stdout
    return {line.strip() for line in out.splitlines() if line.strip()}


@dataclass
class ApertiumModel:
    """Duck-types :class:`xprep.mt.engine.MTModel` for the pipeline: path, family, info, checksum."""

    path: str
    family: Family = APERTIUM
    info: dict[str, Any] = field(default_factory=dict)
    checksum: str = ""
    fixed_mode: str | None = None

    @classmethod
    def load(cls, spec: str | Path, options: Any = None) -> ApertiumModel:
        if shutil.which("apertium") is None:
            raise MissingDependencyError("Apertium is not installed", hint=INSTALL_HINT)
        text = str(spec)
        fixed = text.split(":", 1)[1] if ":" in text else None
        version = (
            subprocess.run(
                ["dpkg-query", "-W", "-f=${Version}", "apertium"], capture_output=True, text=True, check=False
            ).stdout.strip()
            or "unknown"
        )
        modes = sorted(installed_modes())
        return cls(
            path=text,
            info={"family": "apertium", "source": f"apertium {version}", "quantization": None, "modes": modes},
            checksum=stable_hash("apertium", version, modes),
            fixed_mode=fixed,
        )

    def mode(self, src: str, tgt: str) -> str:
        if self.fixed_mode:
            return self.fixed_mode
        return f"{ISO3.get(src, src)}-{ISO3.get(tgt, tgt)}"

    def check_languages(self, src: str, tgt: str) -> None:
        """Raise :class:`ModelError` unless the mode for ``src`` -> ``tgt`` is installed."""
        mode = self.mode(src, tgt)
        modes = set(self.info.get("modes", []))
        if mode not in modes:
            raise ModelError(
                f"no Apertium mode '{mode}' installed for {src}->{tgt}",
                where=self.path,
                hint=f"installed: {', '.join(sorted(modes)) or 'none'}; apt-get install apertium-{mode}",
            )
        if self.fixed_mode and not mode.endswith(ISO3.get(tgt, tgt)):
            raise ModelError(f"mode '{mode}' does not translate into '{tgt}'", where=self.path)

    def translate_texts(self, texts: list[str], src: str, tgt: str) -> list[str]:
        """Translate segments (one per line); raises :class:`ModelError` if Apertium fails."""
        lines = [" ".join(t.split()) for t in texts]
        proc = subprocess.run(
            ["apertium", "-u", self.mode(src, tgt)],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            check=False,
        )
        out = proc.stdout.split("\n")
        if proc.returncode != 0 or len(out) < len(lines):
            raise ModelError(f"apertium failed: {proc.stderr.strip()[:200]}", where=self.path)
        return [" ".join(line.split()) for line in out[: len(lines)]]  # Apertium leaves double spaces
