"""Tiny random-weight MT models with real architectures, for demos, tests and benchmarks.

``build_tiny_model`` trains a sentencepiece vocabulary on the given texts, builds a Marian or
M2M100 transformers model with random weights and the requested shape, saves it with its real
tokenizer files and converts it with CTranslate2's real converter (through
:func:`xprep.mt.convert.convert_model`). The output is nonsense text by construction; only the
machinery is real.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xprep.errors import InputError

SYNTHETIC_WORDS = (
    "the a of to and in for on with by river city lighthouse keeper storm bees queen hive winter market farmer "
    "apples train station museum library children festival music ticket island granite lamp electricity morning "
    "evening report committee government doctor hospital harbour bridge stone road quickly slowly never always "
    "often built opened closed sold bought played walked carried studied"
).split()


def synthetic_sentences(n: int, seed: int = 0, min_words: int = 8, max_words: int = 30) -> list[str]:
    """``n`` distinct pseudo-English sentences (benchmarks and tests: nothing is deduplicated away)."""
    import random

    rng = random.Random(seed)
    return [
        " ".join(rng.choice(SYNTHETIC_WORDS) for _ in range(rng.randint(min_words, max_words))).capitalize() + f" {i}."
        for i in range(n)
    ]


@dataclass(frozen=True)
class Shape:
    """Transformer shape of a tiny (or benchmark-sized) model."""

    d_model: int = 64
    layers: int = 2
    heads: int = 4
    ffn: int = 128
    vocab_size: int | None = None  # None: just the trained pieces; a number pads the output layer
    max_positions: int = 256

    def config_kwargs(self) -> dict[str, int]:
        """The shape as transformers encoder-decoder config arguments (Marian and M2M100 share them)."""
        return {
            "d_model": self.d_model,
            "encoder_layers": self.layers,
            "decoder_layers": self.layers,
            "encoder_attention_heads": self.heads,
            "decoder_attention_heads": self.heads,
            "encoder_ffn_dim": self.ffn,
            "decoder_ffn_dim": self.ffn,
            "max_position_embeddings": self.max_positions,
        }


def train_sentencepiece(texts: Iterable[str], prefix: Path, vocab_size: int) -> Path:
    """Train a unigram sentencepiece model on ``texts``; returns the ``.model`` path.

    ``vocab_size`` is a ceiling: a small corpus yields fewer pieces (``hard_vocab_limit=False``).
    """
    import sentencepiece as spm

    lines = [t.strip() for t in texts if t and t.strip()]
    if not lines:
        raise InputError("no text to train a sentencepiece vocabulary on")
    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=2,
        bos_id=-1,
        eos_id=1,
        unk_id=0,
        pad_id=-1,
    )
    return prefix.with_suffix(".model")


def _pieces(model_file: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_file))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _pad_vocab(tokens: list[str], size: int | None) -> list[str]:
    """Extend a vocabulary with filler tokens up to ``size`` (benchmarks need a realistic output layer)."""
    return tokens + [f"<filler{i}>" for i in range(max(0, (size or 0) - len(tokens)))]


def _build_marian(spm_model: Path, hf_dir: Path, shape: Shape, seed: int, src: str, tgt: str) -> None:
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    tokens = ["</s>", "<unk>"] + [p for p in _pieces(spm_model) if p not in ("</s>", "<unk>", "<pad>")]
    tokens = _pad_vocab(tokens, shape.vocab_size and shape.vocab_size - 1) + ["<pad>"]  # Marian keeps <pad> last
    vocab = {t: i for i, t in enumerate(tokens)}
    shutil.copy(spm_model, hf_dir / "source.spm")
    shutil.copy(spm_model, hf_dir / "target.spm")
    (hf_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    MarianTokenizer(
        source_spm=str(hf_dir / "source.spm"),
        target_spm=str(hf_dir / "target.spm"),
        vocab=str(hf_dir / "vocab.json"),
        source_lang=src,
        target_lang=tgt,
    ).save_pretrained(hf_dir)
    pad = len(tokens) - 1
    config = MarianConfig(
        vocab_size=len(tokens),
        **shape.config_kwargs(),
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    MarianMTModel(config).save_pretrained(hf_dir)


def _build_m2m100(spm_model: Path, hf_dir: Path, shape: Shape, seed: int) -> None:
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    tokens = specials + [p for p in _pieces(spm_model) if p not in specials]
    # 100 language tokens and 8 made-up words follow the pieces
    tokens = _pad_vocab(tokens, shape.vocab_size and shape.vocab_size - 108)
    shutil.copy(spm_model, hf_dir / "sentencepiece.bpe.model")
    (hf_dir / "vocab.json").write_text(
        json.dumps({t: i for i, t in enumerate(tokens)}, ensure_ascii=False), encoding="utf-8"
    )
    tok = M2M100Tokenizer(
        vocab_file=str(hf_dir / "vocab.json"),
        spm_file=str(hf_dir / "sentencepiece.bpe.model"),
        src_lang="en",
        tgt_lang="de",
    )
    tok.save_pretrained(hf_dir)
    vocab_size = len(tokens) + len(tok.lang_token_to_id) + tok.num_madeup_words
    config = M2M100Config(
        vocab_size=vocab_size,
        **shape.config_kwargs(),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        scale_embedding=True,
    )
    torch.manual_seed(seed)
    M2M100ForConditionalGeneration(config).save_pretrained(hf_dir)


def build_tiny_model(
    family: str,
    out: str | Path,
    texts: Iterable[str],
    shape: Shape | None = None,
    seed: int = 0,
    quantization: str | None = None,
    pair: tuple[str, str] = ("en", "de"),
    keep_hf: str | Path | None = None,
) -> Path:
    """Build a random-weight ``marian`` or ``m2m100`` model trained-vocabulary on ``texts``.

    Returns the CTranslate2 model folder ``out``. ``pair`` is the language pair a Marian model is
    declared for (M2M100 covers its 100 languages). ``keep_hf`` keeps the transformers folder there
    (benchmarks compare against HF ``generate`` on the same weights).
    """
    from xprep.mt.convert import convert_model

    if family not in ("marian", "m2m100"):
        raise InputError(f"tiny models exist for 'marian' and 'm2m100', not '{family}'")
    from xprep.mt.convert import MODEL_INFO
    from xprep.owned import check_model_folder

    check_model_folder(Path(out), MODEL_INFO, force=True)  # before any work: a user's folder is refused
    shape = shape or Shape()
    with tempfile.TemporaryDirectory(prefix="xprep-tiny-") as tmp:
        tmp_path = Path(tmp)
        spm_model = train_sentencepiece(texts, tmp_path / "spm", vocab_size=min((shape.vocab_size or 8000) - 120, 8000))
        hf_dir = Path(keep_hf) if keep_hf else tmp_path / "hf"
        hf_dir.mkdir(parents=True, exist_ok=True)
        if family == "marian":
            _build_marian(spm_model, hf_dir, shape, seed, *pair)
        else:
            _build_m2m100(spm_model, hf_dir, shape, seed)
        out = convert_model(
            str(hf_dir), out, quantization=quantization, force=True, languages=pair if family == "marian" else None
        )
    info_path = Path(out) / "xprep_model.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    info["source"] = f"xprep-tiny:{family}:seed={seed}:{shape}"
    info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return Path(out)


def xlmr_tokenizer(texts: Iterable[str], folder: Path, vocab_size: int) -> Any:
    """An XLM-R tokenizer (``<s> <pad> </s> <unk>`` first, ``<mask>`` last) over a unigram vocabulary
    trained on ``texts``: the tokenizer of the tiny XLM-R encoders of tests and benchmarks."""
    import sentencepiece as spm
    from transformers import XLMRobertaTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    sp = spm.SentencePieceProcessor(model_file=str(train_sentencepiece(texts, folder / "spm", vocab_size)))
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    pieces = [
        (sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size()) if sp.id_to_piece(i) not in specials
    ]
    return XLMRobertaTokenizer(vocab=[(s, 0.0) for s in specials] + pieces + [("<mask>", 0.0)])


def build_tiny_xlmr(out: Path, texts: Iterable[str], seed: int = 0, vocab_size: int = 600) -> Path:
    """A tiny random-weight XLM-R encoder (real architecture: 3 layers, hidden 32) with a unigram vocabulary
    trained on ``texts``, saved with its tokenizer to ``out``: the encoder of the tests and smoke recipes."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    tok = xlmr_tokenizer(texts, out.parent / f"{out.name}.spm", vocab_size=vocab_size)
    tok.save_pretrained(out)
    config = XLMRobertaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=258,
        pad_token_id=1,
    )
    torch.manual_seed(seed)
    XLMRobertaModel(config).save_pretrained(out)
    return out
