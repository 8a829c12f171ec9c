"""Convert a transformers MT model (hub id or folder) to a CTranslate2 model folder xprep can load.

Wraps ``ctranslate2.converters.TransformersConverter``, copies the family's sentencepiece files
next to the converted weights and writes ``xprep_model.json`` (family, source, languages,
quantization). Fixes one incompatibility of CTranslate2 4.8 with transformers 5: the M2M100/NLLB
loader reads language tokens from ``special_tokens_map["additional_special_tokens"]``, which
transformers 5 no longer fills, so language tokens went missing from the converted vocabulary.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xprep.errors import ModelError

MODEL_INFO = "xprep_model.json"
QUANTIZATIONS = ("int8", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
# quantizations whose weights pass through float16 anyway: the checkpoint is loaded as float16 (half the memory)
HALF_LOAD = ("float16", "int8_float16")


@contextlib.contextmanager
def _m2m100_vocabulary_fix() -> Iterator[None]:
    """Temporarily make CTranslate2's M2M100 loader add the tokenizer's language tokens."""
    from ctranslate2.converters import transformers as ct2t

    loader = ct2t._MODEL_LOADERS.get("M2M100Config")
    if loader is None:
        yield
        return
    original = type(loader).get_vocabulary

    def get_vocabulary(self: Any, model: Any, tokenizer: Any) -> list[str]:
        tokens = ct2t.BartLoader.get_vocabulary(self, model, tokenizer)
        if tokens[-1] == tokenizer.unk_token:  # CTranslate2 issue 1039, as upstream does
            tokens.insert(tokenizer.unk_token_id, tokens.pop())
        known = set(tokens)
        lang_ids = getattr(tokenizer, "lang_token_to_id", {}) or {}
        for token, _ in sorted(lang_ids.items(), key=lambda kv: kv[1]):
            if token not in known:
                tokens.append(token)
                known.add(token)
        for token in getattr(tokenizer, "additional_special_tokens", []) or []:
            if token not in known:
                tokens.append(token)
                known.add(token)
        missing = model.config.vocab_size - len(tokens)
        tokens += [f"madeupword{i}" for i in range(max(missing, 0))]
        return tokens

    type(loader).get_vocabulary = get_vocabulary
    try:
        yield
    finally:
        type(loader).get_vocabulary = original


def convert_model(
    model: str,
    out: str | Path,
    quantization: str | None = None,
    force: bool = False,
    languages: tuple[str, str] | None = None,
) -> Path:
    """Convert ``model`` (hub id or local transformers folder) into ``out``; return ``out``.

    ``languages`` records the (source, target) pair of a per-pair model (OPUS-MT) in the model info.
    For ``float16`` and ``int8_float16`` the transformers weights are loaded as float16 (NLLB-200 3.3B:
    about 6.6 GB of memory instead of 13). Raises :class:`ModelError` for an unknown quantization, an
    unsupported architecture or a model that cannot be loaded (e.g. no network for a hub id).
    """
    from transformers import AutoConfig

    from xprep.mt.families import FAMILIES, family_for_model

    if quantization is not None and quantization not in QUANTIZATIONS:
        raise ModelError(f"unknown quantization '{quantization}'", hint=f"one of {', '.join(QUANTIZATIONS)}")
    from xprep.owned import check_model_folder

    out = check_model_folder(Path(out), MODEL_INFO, force)  # CTranslate2's converter empties the folder
    try:
        config = AutoConfig.from_pretrained(model)
    except OSError as exc:
        raise ModelError(
            f"cannot load model config: {str(exc).splitlines()[0]}",
            where=model,
            hint="is the hub reachable, or is this a local folder?",
        ) from None
    family_name = family_for_model(config.model_type)
    if family_name == "m2m100" and "nllb" in (getattr(config, "tokenizer_class", "") or "").lower() + model.lower():
        family_name = "nllb"
    family = FAMILIES.get(family_name)
    from ctranslate2.converters import TransformersConverter

    copy = [f for f in family.hf_tokenizer_files if not Path(model).is_dir() or (Path(model) / f).exists()]
    with _m2m100_vocabulary_fix():
        converter = TransformersConverter(model, copy_files=copy, load_as_float16=quantization in HALF_LOAD)
        converter.convert(str(out), quantization=quantization, force=True)
    vocab = read_model_vocab(out)
    if family_name == "marian" and any(t.startswith(">>") and t.endswith("<<") for t in vocab):
        family_name = "marian-mul"
    info = {
        "family": family_name,
        "source": model,
        "quantization": quantization or "float32",
        "loaded_as": "float16" if quantization in HALF_LOAD else "checkpoint dtype",
        "languages": list(languages) if languages else None,
        "max_positions": getattr(config, "max_position_embeddings", None),
    }
    (out / MODEL_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out


def read_model_vocab(model_dir: str | Path) -> set[str]:
    """Every token of a converted model (source and target vocabularies together)."""
    model_dir = Path(model_dir)
    vocab: set[str] = set()
    for name in (
        "shared_vocabulary.json",
        "source_vocabulary.json",
        "target_vocabulary.json",
        "shared_vocabulary.txt",
        "source_vocabulary.txt",
        "target_vocabulary.txt",
    ):
        path = model_dir / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            vocab.update(json.loads(text) if name.endswith(".json") else text.splitlines())
    if not vocab:
        raise ModelError(
            "no vocabulary file in the model folder",
            where=str(model_dir),
            hint="is this a CTranslate2 model? convert with 'xprep models convert'",
        )
    return vocab
