"""MT model families: how each one spells languages, frames its input and reads its output.

A family turns sentencepiece pieces into the token sequence the converted CTranslate2 model expects
(language tokens, ``</s>``), gives the per-example ``target_prefix``, strips what the model echoes
back, and says which tokenizer files a model folder holds. Whether a model supports a language is
checked against that model's vocabulary before any work starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xprep.errors import ModelError
from xprep.mt import langcodes
from xprep.registry import Registry

# Special, language and filler tokens a hypothesis may contain; never part of the output text.
_SPECIAL = re.compile(
    r"^(</?s>|<pad>|<unk>|__[a-z]{2,3}__|[a-z]{3}_[A-Z][a-z]{3}|<2[^>]+>|>>[^<]+<<|madeupword\d+|<filler\d+>)$"
)


@dataclass(frozen=True)
class Family:
    """One model family. ``source_spm``/``target_spm`` are file names inside the model folder."""

    name: str
    description: str
    source_spm: str
    target_spm: str
    hf_tokenizer_files: tuple[str, ...]

    # --- language tokens -----------------------------------------------------------------------
    def source_token(self, lang: str) -> str | None:
        """The token prepended to the source, or None."""
        return None

    def target_token(self, lang: str) -> str | None:
        """The language token that selects the output language (in the prefix or the source)."""
        return None

    def prefix_in_target(self) -> bool:
        """True when the target language token goes in ``target_prefix`` (and is echoed back)."""
        return False

    # --- framing -------------------------------------------------------------------------------
    def frame_source(self, pieces: list[str], src: str, tgt: str) -> list[str]:
        """Pieces of one segment -> the model's source tokens."""
        out: list[str] = []
        tok = self.source_token(src)
        if tok:
            out.append(tok)
        if not self.prefix_in_target() and self.target_token(tgt):
            out.append(self.target_token(tgt))  # type: ignore[arg-type]
        out.extend(pieces)
        out.append("</s>")
        return out

    def target_prefix(self, tgt: str) -> list[str] | None:
        tok = self.target_token(tgt)
        return [tok] if tok and self.prefix_in_target() else None

    def strip_output(self, tokens: list[str], tgt: str) -> list[str]:
        """Drop the echoed prefix and special tokens from a hypothesis."""
        prefix = self.target_prefix(tgt) or []
        if prefix and tokens[: len(prefix)] == prefix:
            tokens = tokens[len(prefix) :]
        return [t for t in tokens if not _SPECIAL.match(t)]

    def check_languages(self, vocab: set[str], src: str, tgt: str, model: str) -> None:
        """Raise :class:`ModelError` before any work when the model lacks ``src`` or ``tgt``."""
        for role, lang, tok in (("source", src, self.source_token(src)), ("target", tgt, self.target_token(tgt))):
            if tok is not None and tok not in vocab:
                raise ModelError(
                    f"model does not support {role} language '{lang}' (no '{tok}' token in its vocabulary)",
                    where=model,
                )


class _NLLB(Family):
    def source_token(self, lang: str) -> str | None:
        return langcodes.flores_code(lang)

    def target_token(self, lang: str) -> str | None:
        return langcodes.flores_code(lang)

    def prefix_in_target(self) -> bool:
        return True


class _M2M100(Family):
    def source_token(self, lang: str) -> str | None:
        return f"__{lang}__"

    def target_token(self, lang: str) -> str | None:
        return f"__{lang}__"

    def prefix_in_target(self) -> bool:
        return True


class _MADLAD(Family):
    def target_token(self, lang: str) -> str | None:
        return f"<2{lang}>"


class _MarianMul(Family):
    """Multilingual OPUS-MT (e.g. en-mul): the target is chosen by a ``>>xxx<<`` source token."""

    def target_token(self, lang: str) -> str | None:
        return f">>{langcodes.ISO3.get(lang, lang)}<<"


FAMILIES: Registry[Family] = Registry("MT model family")
FAMILIES.add(
    "nllb",
    _NLLB(
        "nllb",
        "NLLB-200 (Meta): 202 languages, FLORES-200 codes",
        "sentencepiece.bpe.model",
        "sentencepiece.bpe.model",
        ("sentencepiece.bpe.model",),
    ),
)
FAMILIES.add(
    "m2m100",
    _M2M100(
        "m2m100",
        "M2M100 (Meta): 100 languages, __xx__ tokens",
        "sentencepiece.bpe.model",
        "sentencepiece.bpe.model",
        ("sentencepiece.bpe.model",),
    ),
)
FAMILIES.add(
    "marian",
    Family(
        "marian",
        "OPUS-MT / Marian (Helsinki-NLP): one model per language pair",
        "source.spm",
        "target.spm",
        ("source.spm", "target.spm"),
    ),
)
FAMILIES.add(
    "marian-mul",
    _MarianMul(
        "marian-mul",
        "multilingual OPUS-MT (en-mul style): >>xxx<< target tokens",
        "source.spm",
        "target.spm",
        ("source.spm", "target.spm"),
    ),
)
FAMILIES.add(
    "madlad",
    _MADLAD(
        "madlad",
        "MADLAD-400 (Google, T5): 400+ languages, <2xx> source token",
        "spiece.model",
        "spiece.model",
        ("spiece.model",),
    ),
)


def family_for_model(model_type: str) -> str:
    """The family name for a transformers ``config.model_type``."""
    mapping = {"marian": "marian", "m2m_100": "m2m100", "t5": "madlad", "nllb": "nllb"}
    if model_type not in mapping:
        raise ModelError(
            f"no xprep MT family for transformers model_type '{model_type}'", hint=f"supported: {', '.join(mapping)}"
        )
    return mapping[model_type]


def guess_family(vocab: set[str], files: set[str]) -> str:
    """Guess a converted model's family from its vocabulary and files (when no xprep_model.json)."""
    if "eng_Latn" in vocab:
        return "nllb"
    if "__en__" in vocab:
        return "m2m100"
    if "<2en>" in vocab:
        return "madlad"
    if "source.spm" in files:
        return "marian-mul" if any(t.startswith(">>") and t.endswith("<<") for t in vocab) else "marian"
    raise ModelError("cannot tell this model's family", hint="convert it with 'xprep models convert'")
