"""Benchmark: xprep's engine vs raw CTranslate2 vs HF transformers ``generate``, in one run.

Builds a random-weight Marian of OPUS-MT size (6+6 layers, d_model 512, FFN 2048, 8 heads, 32k vocabulary),
converts it with CTranslate2's converter, and translates the same segments three ways with a fixed
output length (min = max decoding length), so all three do the same work:

1. xprep: ``TranslationEngine.translate`` on raw text (tokenisation, dedupe, cache, batching included);
2. raw CTranslate2: ``Translator.translate_batch`` on pre-tokenised input, same batching options;
3. HF: ``MarianMTModel.generate`` (greedy, batched by sorted length) on the same weights in float32.

Prints segments/s and target tokens/s for each, xprep's time outside CTranslate2, and as its last line
``ratios: xprep/ct2=R1 xprep/hf=R2``. Run: ``python scripts/bench_translate.py [--segments N]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=600)
    parser.add_argument("--out-len", type=int, default=32, help="fixed number of generated tokens per segment")
    parser.add_argument("--quantization", default="int8")
    parser.add_argument("--batch-tokens", type=int, default=2048)
    parser.add_argument("--hf-batch", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    import ctranslate2
    import torch
    from transformers import MarianMTModel

    from xprep.mt.engine import DecodingSettings, DeviceOptions, MTModel, TranslationEngine
    from xprep.mt.tiny import Shape, build_tiny_model, synthetic_sentences

    segments = synthetic_sentences(args.segments)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        shape = Shape(d_model=512, layers=6, heads=8, ffn=2048, vocab_size=32000, max_positions=512)
        t0 = time.perf_counter()
        ct2_dir = build_tiny_model(
            "marian",
            tmp_path / "ct2",
            synthetic_sentences(3000, seed=1),
            shape=shape,
            quantization=args.quantization,
            keep_hf=tmp_path / "hf",
        )
        print(
            f"built and converted an OPUS-MT-sized random Marian ({args.quantization}) in "
            f"{time.perf_counter() - t0:.1f}s; {len(segments)} segments, {args.out_len} output tokens each"
        )
        cores = os.cpu_count() or 1
        options = DeviceOptions(device=args.device, batch_tokens=args.batch_tokens)
        inter, intra = options.threads()
        print(f"cores={cores} ctranslate2 {ctranslate2.__version__} inter_threads={inter} intra_threads={intra}")
        settings = DecodingSettings(beam_size=1, max_decoding_length=args.out_len, min_decoding_length=args.out_len)

        model = MTModel.load(ct2_dir, options)
        tokens = [p + ["</s>"] for p in model.sp_source.encode(segments, out_type=str)]

        def raw_ct2(batch: list[list[str]]) -> float:
            t0 = time.perf_counter()
            model.translator.translate_batch(
                batch,
                max_batch_size=args.batch_tokens,
                batch_type="tokens",
                beam_size=1,
                max_decoding_length=args.out_len,
                min_decoding_length=args.out_len,
                return_scores=False,
            )
            return time.perf_counter() - t0

        def xprep(texts: list[str]) -> tuple[float, float]:
            engine = TranslationEngine(model, "en", settings, options)  # a fresh in-memory cache: no hits
            t0 = time.perf_counter()
            engine.translate([(s, "de") for s in texts])
            wall = time.perf_counter() - t0
            return wall, 1 - engine.mt_seconds / wall

        raw_ct2(tokens[:64])  # warm-up, so neither measured run pays first-call costs
        xprep(segments[:64])
        # raw CTranslate2 on pre-tokenised input, then xprep, on the same translator and options
        t_ct2 = raw_ct2(tokens)
        t_xprep, outside = xprep(segments)

        # 3. HF generate, greedy, batched by sorted length
        torch.set_num_threads(cores)
        from transformers import MarianTokenizer

        tok = MarianTokenizer.from_pretrained(tmp_path / "hf")
        hf = MarianMTModel.from_pretrained(tmp_path / "hf").eval()
        order = sorted(range(len(segments)), key=lambda i: len(tokens[i]))
        t0 = time.perf_counter()
        with torch.inference_mode():
            for i in range(0, len(order), args.hf_batch):
                batch = tok([segments[j] for j in order[i : i + args.hf_batch]], return_tensors="pt", padding=True)
                hf.generate(
                    **batch, num_beams=1, do_sample=False, max_new_tokens=args.out_len, min_new_tokens=args.out_len
                )
        t_hf = time.perf_counter() - t0

    n_tok = len(segments) * args.out_len
    print(f"{'engine':<16}{'seconds':>10}{'segments/s':>14}{'tokens/s':>12}")
    for name, sec in (("xprep", t_xprep), ("raw ctranslate2", t_ct2), ("hf generate", t_hf)):
        print(f"{name:<16}{sec:>10.2f}{len(segments) / sec:>14.1f}{n_tok / sec:>12.0f}")
    print(f"xprep time outside CTranslate2 (tokenise, dedupe, cache, batching, detokenise): {100 * outside:.1f}%")
    print(f"ratios: xprep/ct2={t_ct2 / t_xprep:.2f} xprep/hf={t_hf / t_xprep:.2f}")


if __name__ == "__main__":
    main()
