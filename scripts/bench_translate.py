"""Benchmark: xprep's engine vs raw CTranslate2 vs HF transformers ``generate``, in one run.

Builds a random-weight model of a real size, converts it with CTranslate2's converter, and
translates the same segments in several ways with a fixed output length (min = max decoding
length), so all of them do the same work:

* ``--shape opus-mt`` (default): Marian, 6+6 layers, d_model 512, FFN 2048, 8 heads, 32k vocabulary;
* ``--shape nllb-600m``: M2M100 architecture at NLLB-200 distilled 600M size, 12+12 layers,
  d_model 1024, FFN 4096, 16 heads, 256,206-token vocabulary (the target language goes in the prefix);
* ``--shape tiny``: a 2-layer M2M100 that only checks the script itself (the test suite runs it).

Rows: (1) xprep: ``TranslationEngine.translate`` on raw text (tokenisation, dedupe, cache, batching,
detokenisation included); (2) raw CTranslate2: ``Translator.translate_batch`` on pre-tokenised input
with the same options (token-budget batches, greedy, scores off); (3) with ``--vmap-size K``, xprep on
a vocabulary-restricted copy of the model (K always-candidate tokens plus copy-through, as
``xprep models restrict`` writes); (4) HF ``generate`` (greedy, batched by sorted length) on the same
weights: float32 on CPU, float16 on CUDA.

Every CTranslate2 row runs the compute type it names: ``--compute-type`` defaults to the converted
weights' type (``--quantization``: int8 on CPU, float16 on CUDA), never ``auto`` (which on CUDA means
int8_float16), and the header prints the type the translator reports. On CUDA the default is 10,000
segments (600 would be two batches), the translator is warmed up before timing (JIT compilation of
the wheel's kernels on sm_90, cuBLAS loading), and each row reports the peak device memory in use
(sampled with NVML / ``cudaMemGetInfo``: ``max_memory_allocated`` cannot see CTranslate2's memory).

Prints segments/s and target tokens/s, xprep's share of wall time outside CTranslate2, an estimate
for MNLI train into one language, and as its last line ``ratios: xprep/ct2=R1 xprep/hf=R2``.

MNLI estimate: 392,702 training pairs (GLUE) over about 130,900 premises (MultiNLI wrote one
hypothesis per label for each premise), so about 523,600 distinct segments after xprep's dedupe; the
estimate divides that by the measured segments/s. The synthetic segments are 8-30 words with a fixed
output of ``--out-len`` tokens; read the estimate as an order of magnitude.

Run: ``python scripts/bench_translate.py [--shape nllb-600m] [--device cuda] [--segments N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gpu_memory import DeviceMemory  # noqa: E402

MNLI_SEGMENTS = 523_600
SHAPES = {
    "tiny": ("m2m100", dict(d_model=64, layers=2, heads=4, ffn=128, vocab_size=None, max_positions=256)),  # tests
    "opus-mt": ("marian", dict(d_model=512, layers=6, heads=8, ffn=2048, vocab_size=32000, max_positions=512)),
    "nllb-600m": ("m2m100", dict(d_model=1024, layers=12, heads=16, ffn=4096, vocab_size=256206, max_positions=1024)),
}


@dataclass
class Row:
    name: str
    seconds: float
    note: str = ""
    peak_mb: float | None = None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="opus-mt")
    parser.add_argument("--segments", type=int, default=None, help="default: 600 cpu, 10000 cuda")
    parser.add_argument("--out-len", type=int, default=32, help="fixed number of generated tokens per segment")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--quantization", default=None, help="weights as converted (default: int8 cpu, float16 cuda)")
    parser.add_argument("--compute-type", default=None, help="CTranslate2 compute type (default: --quantization)")
    parser.add_argument("--batch-tokens", type=int, default=None, help="token budget (default: 2048 cpu, 6000 cuda)")
    parser.add_argument("--hf-batch", type=int, default=None, help="HF batch size (default: 32 cpu, 256 cuda)")
    parser.add_argument("--vmap-size", type=int, default=0, help="also run a restricted copy with K candidates")
    parser.add_argument("--no-hf", action="store_true", help="skip HF generate")
    args = parser.parse_args()
    gpu = args.device == "cuda"
    args.quantization = args.quantization or ("float16" if gpu else "int8")
    args.compute_type = args.compute_type or args.quantization
    args.segments = args.segments or (10_000 if gpu else 600)
    args.batch_tokens = args.batch_tokens or (6000 if gpu else 2048)
    args.hf_batch = args.hf_batch or (256 if gpu else 32)
    return args


def build(args: argparse.Namespace, tmp: Path) -> Path:
    from xprep.mt.tiny import Shape, build_tiny_model, synthetic_sentences

    family, shape = SHAPES[args.shape]
    t0 = time.perf_counter()
    ct2_dir = build_tiny_model(
        family,
        tmp / "ct2",
        synthetic_sentences(3000, seed=1),
        shape=Shape(**shape),
        quantization=args.quantization,
        keep_hf=tmp / "hf",
    )
    took = time.perf_counter() - t0
    print(f"built and converted a random {args.shape}-shaped {family} ({args.quantization}) in {took:.1f}s")
    return ct2_dir


def restricted_copy(ct2_dir: Path, out: Path, size: int) -> Path:
    """A vmap folder whose always-candidates are the first ``size`` tokens (the size of a real restriction)."""
    from xprep.mt.vmap import target_vocabulary, write_restricted

    vocab = target_vocabulary(ct2_dir)
    write_restricted(ct2_dir, out, vocab[:size], ["de"], copy_through=True, vocab=vocab)
    return out


def run_xprep(model: Any, options: Any, settings: Any, segments: list[str]) -> tuple[float, float]:
    from xprep.mt.engine import TranslationEngine

    engine = TranslationEngine(model, "en", settings, options)  # a fresh in-memory cache: no hits
    t0 = time.perf_counter()
    engine.translate([(s, "de") for s in segments])
    wall = time.perf_counter() - t0
    return wall, 1 - engine.mt_seconds / wall


def run_raw(model: Any, args: argparse.Namespace, segments: list[str]) -> float:
    fam = model.family
    sources = [fam.frame_source(p, "en", "de") for p in model.sp_source.encode(segments, out_type=str)]
    prefix = fam.target_prefix("de")
    t0 = time.perf_counter()
    model.translator.translate_batch(
        sources,
        target_prefix=[prefix] * len(sources) if prefix else None,
        max_batch_size=args.batch_tokens,
        batch_type="tokens",
        beam_size=1,
        max_decoding_length=args.out_len,
        min_decoding_length=args.out_len,
        return_scores=False,
    )
    return time.perf_counter() - t0


def run_hf(args: argparse.Namespace, hf_dir: Path, segments: list[str]) -> float:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    gpu = args.device == "cuda"
    if not gpu:
        torch.set_num_threads(os.cpu_count() or 1)
    tok = AutoTokenizer.from_pretrained(hf_dir)
    # cast after loading: the dtype argument's name differs between transformers versions
    model = AutoModelForSeq2SeqLM.from_pretrained(hf_dir)
    model = model.to(device=args.device, dtype=torch.float16 if gpu else torch.float32).eval()
    extra: dict[str, Any] = {}
    if args.shape == "nllb-600m":  # the language token is the first generated token, as CTranslate2's prefix
        extra["forced_bos_token_id"] = tok.convert_tokens_to_ids("__de__")
    lengths = [len(ids) for ids in tok(segments)["input_ids"]]
    order = sorted(range(len(segments)), key=lengths.__getitem__)

    def generate(idx: list[int]) -> None:
        batch = tok([segments[j] for j in idx], return_tensors="pt", padding=True).to(args.device)
        model.generate(
            **batch, num_beams=1, do_sample=False, max_new_tokens=args.out_len, min_new_tokens=args.out_len, **extra
        )

    with torch.inference_mode():
        generate(order[: min(8, len(order))])  # warm-up (CUDA kernels, allocator)
        if gpu:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(0, len(order), args.hf_batch):
            generate(order[i : i + args.hf_batch])
        if gpu:
            torch.cuda.synchronize()
    return time.perf_counter() - t0


def main() -> None:
    args = parse_args()
    import ctranslate2

    from xprep.mt.engine import DecodingSettings, DeviceOptions, MTModel
    from xprep.mt.tiny import synthetic_sentences

    segments = synthetic_sentences(args.segments)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        ct2_dir = build(args, tmp_path)
        options = DeviceOptions(device=args.device, compute_type=args.compute_type, batch_tokens=args.batch_tokens)
        inter, intra = options.threads()
        settings = DecodingSettings(beam_size=1, max_decoding_length=args.out_len, min_decoding_length=args.out_len)
        with DeviceMemory(args.device) as load_mem:
            model = MTModel.load(ct2_dir, options)  # warmed up on CUDA (timed apart)
        print(
            f"{len(segments)} segments, {args.out_len} output tokens each; device={args.device} "
            f"cores={os.cpu_count()} ctranslate2 {ctranslate2.__version__} inter_threads={inter} intra_threads={intra} "
            f"workers={model.workers} batch_tokens={args.batch_tokens} compute_type={model.compute_type} "
            f"(asked {args.compute_type}; weights {args.quantization})"
            + (f" warm-up={model.warmup_s}s" if model.warmup_s is not None else "")
            + (f" model memory={load_mem.peak_mb} MB ({load_mem.source})" if load_mem.peak_mb is not None else "")
        )
        warm = segments[:64]  # neither measured run pays first-call costs
        run_raw(model, args, warm)
        run_xprep(model, options, settings, warm)
        with DeviceMemory(args.device) as mem:
            seconds = run_raw(model, args, segments)
        rows.append(Row("raw ctranslate2", seconds, peak_mb=mem.peak_mb))
        with DeviceMemory(args.device) as mem:
            seconds, outside = run_xprep(model, options, settings, segments)
        rows.append(Row("xprep", seconds, f"{100 * outside:.1f}% outside CTranslate2", mem.peak_mb))
        if args.vmap_size:
            restricted = MTModel.load(restricted_copy(ct2_dir, tmp_path / "vmap", args.vmap_size), options)
            run_xprep(restricted, options, settings, warm)
            with DeviceMemory(args.device) as mem:
                seconds, _ = run_xprep(restricted, options, settings, segments)
            rows.append(Row(f"xprep + vmap {args.vmap_size:,}", seconds, peak_mb=mem.peak_mb))
            del restricted
        del model
        if not args.no_hf:
            with DeviceMemory(args.device) as mem:
                seconds = run_hf(args, tmp_path / "hf", segments)
            name = f"hf generate ({'fp16' if args.device == 'cuda' else 'fp32'})"
            rows.append(Row(name, seconds, peak_mb=mem.peak_mb))

    report(args, segments, rows, outside)


def report(args: argparse.Namespace, segments: list[str], rows: list[Row], outside: float) -> None:
    n_tok = len(segments) * args.out_len
    gpu = args.device == "cuda"
    mem_head = f"{'peak MB':>10}" if gpu else ""
    print(f"{'engine':<22}{'seconds':>10}{'segments/s':>13}{'tokens/s':>12}{'MNLI->1 lang':>15}{mem_head}")
    for row in rows:
        seg_s = len(segments) / row.seconds
        hours = MNLI_SEGMENTS / seg_s / 3600
        mem = f"{row.peak_mb if row.peak_mb is not None else '-':>10}" if gpu else ""
        print(
            f"{row.name:<22}{row.seconds:>10.2f}{seg_s:>13.1f}{n_tok / row.seconds:>12.0f}{hours:>13.1f} h"
            f"{mem}  {row.note}"
        )
    print(f"xprep time outside CTranslate2 (tokenise, dedupe, cache, batching, detokenise): {100 * outside:.1f}%")
    by = {r.name.split(" (")[0]: r.seconds for r in rows}
    ratios = f"ratios: xprep/ct2={by['raw ctranslate2'] / by['xprep']:.2f}"
    if "hf generate" in by:
        ratios += f" xprep/hf={by['hf generate'] / by['xprep']:.2f}"
    vmap = [r for r in rows if r.name.startswith("xprep + vmap")]
    if vmap:
        ratios += f" vmap/xprep={by['xprep'] / vmap[0].seconds:.2f}"
    print(ratios)


if __name__ == "__main__":
    main()
