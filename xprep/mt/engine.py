"""The translation engine: unique segments -> cache -> sentencepiece -> token-budget batches -> CTranslate2.

``MTModel.load`` opens a converted model folder (family, vocabulary, tokenizers, checksum) and
``TranslationEngine.translate`` translates ``(text, target language)`` requests: duplicates are
translated once, cached ones not at all; the rest are tokenised, sorted by length and sent to
``ctranslate2.Translator.translate_batch`` in chunks of several token-budget batches (so
``inter_threads`` workers run in parallel), and each chunk is committed to the cache before the next.

Facts that shape it (CTranslate2 4.8): ``translate_batch`` defaults to beam 2, so the beam is always
passed; ``max_input_length`` and ``max_decoding_length`` truncate silently, so over-long inputs are
split at word boundaries here and outputs that reach the decoding limit are flagged ``truncated``;
one batch may mix target languages because ``target_prefix`` is per example.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xprep.errors import ModelError
from xprep.hashing import stable_hash
from xprep.mt.cache import TranslationCache, cache_key
from xprep.mt.convert import MODEL_INFO, read_model_vocab
from xprep.mt.device import DeviceOptions, actual_compute_type, open_translator, translation_error, warm_up
from xprep.mt.families import FAMILIES, Family, guess_family
from xprep.mt.langcodes import joiner


@dataclass(frozen=True)
class DecodingSettings:
    """Decoding options passed to CTranslate2; all of them enter the cache key and the manifest."""

    beam_size: int = 4
    max_input_length: int = 1024
    max_decoding_length: int = 256
    min_decoding_length: int = 0
    length_penalty: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    sampling_topk: int = 1
    sampling_temperature: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MTModel:
    """A converted model folder, opened: family, vocabulary, tokenizers and the translator."""

    path: Path
    family: Family
    info: dict[str, Any]
    vocab: set[str]
    checksum: str
    translator: Any
    sp_source: Any
    sp_target: Any
    max_positions: int | None = None
    restricted_to: tuple[str, ...] = ()  # a vocabulary-restricted folder (xprep.mt.vmap): its languages
    device: str = "cpu"
    compute_type: str = ""  # what the translator really uses (translator.compute_type), never "auto"
    requested_compute_type: str = "auto"
    workers: int = 1
    warmup_s: float | None = None

    @classmethod
    def load(cls, path: str | Path, options: DeviceOptions | None = None) -> MTModel:
        """Open a CTranslate2 model folder on ``options`` (warmed up on CUDA); raises :class:`ModelError` when it
        is not one or cannot run there."""
        import sentencepiece as spm

        path = Path(path)
        options = options or DeviceOptions()
        if not (path / "model.bin").is_file():
            raise ModelError(
                "not a CTranslate2 model folder (no model.bin)",
                where=str(path),
                hint="convert one with 'xprep models convert HUB_ID --out DIR'",
            )
        info = json.loads((path / MODEL_INFO).read_text(encoding="utf-8")) if (path / MODEL_INFO).is_file() else {}
        vocab = read_model_vocab(path)
        family = FAMILIES.get(info.get("family") or guess_family(vocab, {p.name for p in path.iterdir()}))
        for name in {family.source_spm, family.target_spm}:
            if not (path / name).is_file():
                raise ModelError(f"tokenizer file '{name}' missing", where=str(path))
        translator = open_translator(str(path), options)
        model = cls(
            path=path,
            family=family,
            info=info,
            vocab=vocab,
            checksum=model_checksum(path),
            translator=translator,
            sp_source=spm.SentencePieceProcessor(model_file=str(path / family.source_spm)),
            sp_target=spm.SentencePieceProcessor(model_file=str(path / family.target_spm)),
            max_positions=info.get("max_positions"),
            restricted_to=tuple(info.get("restricted_to") or ()),
            device=options.device,
            compute_type=actual_compute_type(translator, options),
            requested_compute_type=options.compute_type,
            workers=options.workers(),
        )
        if options.warms_up():
            tokens = model.sp_source.encode("Warm up the translator.", out_type=str) + ["</s>"]
            model.warmup_s = round(warm_up(translator, tokens, str(path)), 3)
        return model

    def describe(self) -> str:
        """One line: where it runs, the compute type it really uses (and what was asked), workers, warm-up."""
        asked = f" (asked {self.requested_compute_type})" if self.requested_compute_type != self.compute_type else ""
        warm = f", warm-up {self.warmup_s:.2f} s" if self.warmup_s is not None else ""
        return f"{self.path} on {self.device}, compute type {self.compute_type}{asked}, {self.workers} worker(s){warm}"

    def release(self) -> None:
        """Drop the translator (its device memory) and keep what was read: for drivers whose workers load their own."""
        self.translator = None

    def check_languages(self, src: str, tgt: str) -> None:
        """Raise :class:`ModelError` before any work if this model cannot translate ``src`` -> ``tgt``."""
        if self.restricted_to and tgt not in self.restricted_to:
            raise ModelError(
                f"vocabulary restricted to {', '.join(self.restricted_to)}: this model cannot translate into {tgt}",
                where=str(self.path),
                hint=f"use the unrestricted model ({self.info.get('restricted_from', 'its source folder')})",
            )
        pair = self.info.get("languages")
        if self.family.name == "marian" and pair and (src, tgt) != tuple(pair):
            raise ModelError(
                f"this OPUS-MT model translates {pair[0]}->{pair[1]}, not {src}->{tgt}",
                where=str(self.path),
                hint=f"use Helsinki-NLP/opus-mt-{src}-{tgt}",
            )
        self.family.check_languages(self.vocab, src, tgt, str(self.path))


def load_model(spec: str | Path, options: DeviceOptions | None = None) -> Any:
    """A CTranslate2 model folder, or Apertium for ``apertium`` / ``apertium:MODE``."""
    from xprep.mt.apertium import ApertiumModel, is_apertium

    if is_apertium(spec):
        return ApertiumModel.load(spec, options)
    return MTModel.load(spec, options)


def model_checksum(path: Path) -> str:
    """SHA-256 over the model weights, config and vocabulary; memoised beside the model by size+mtime."""
    from xprep.io import sha256_file

    files = sorted(p for p in path.iterdir() if p.is_file() and p.name != ".xprep-checksum")
    stamp = stable_hash([(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files])
    memo = path / ".xprep-checksum"
    if memo.is_file():
        saved = memo.read_text(encoding="utf-8").split()
        if len(saved) == 2 and saved[0] == stamp:
            return saved[1]
    digest = stable_hash([(p.name, sha256_file(p)) for p in files])
    with contextlib.suppress(OSError):  # a read-only model folder: recompute next time
        memo.write_text(f"{stamp} {digest}\n", encoding="utf-8")
    return digest


@dataclass
class Translation:
    """One translated segment. ``truncated``: the output reached ``max_decoding_length``."""

    text: str
    truncated: bool = False
    split: bool = False


@dataclass
class TranslationEngine:
    """Translates ``(text, target language)`` requests from ``src`` with a model, settings and a cache."""

    model: MTModel
    src: str
    settings: DecodingSettings = field(default_factory=DecodingSettings)
    options: DeviceOptions = field(default_factory=DeviceOptions)
    cache: TranslationCache = field(default_factory=lambda: TranslationCache(None))
    counters: Counter = field(default_factory=Counter)
    mt_seconds: float = 0.0

    def input_limit(self) -> int:
        """Most source tokens one segment may have (model positions and ``max_input_length``)."""
        limit = self.settings.max_input_length
        if self.model.max_positions:
            limit = min(limit, self.model.max_positions - 2)
        return limit - 2  # room for language token and </s>

    def translate(
        self, requests: Sequence[tuple[str, str]], progress: Callable[[int], None] | None = None
    ) -> list[Translation]:
        """Translations of ``requests`` in order; each unique (text, lang) is translated at most once."""
        settings = self.settings.as_dict()
        device, compute = getattr(self.model, "device", "cpu"), getattr(self.model, "compute_type", "")
        keys = [cache_key(self.model.checksum, self.src, tgt, settings, t, device, compute) for t, tgt in requests]
        self.counters["segments"] += len(requests)
        unique: dict[str, tuple[str, str]] = {}
        for key, req in zip(keys, requests, strict=True):
            unique.setdefault(key, req)
        self.counters["segments_unique"] += len(unique)
        done = {k: _decode_cached(v) for k, v in self.cache.get_many(list(unique)).items()}
        self.counters["cache_hits"] += len(done)
        if progress and done:
            progress(len(done))
        todo = [(k, *unique[k]) for k in unique if k not in done]
        if todo:
            translate_texts = getattr(self.model, "translate_texts", None)
            if translate_texts is not None:  # a non-CTranslate2 backend (Apertium)
                done.update(self._translate_with_backend(todo, translate_texts, progress))
            else:
                done.update(self._translate_missing(todo, progress))
        return [done[k] for k in keys]

    # --- internals -------------------------------------------------------------------------------
    def _translate_missing(
        self, todo: list[tuple[str, str, str]], progress: Callable[[int], None] | None
    ) -> dict[str, Translation]:
        texts = [t for _, t, _ in todo]
        pieces = self.model.sp_source.encode(texts, out_type=str)
        limit = self.input_limit()
        # units: (owner index, part number, pieces, target lang); over-long segments become several parts
        units: list[tuple[int, int, list[str], str]] = []
        parts_of: list[int] = []
        for i, ((_, text, tgt), toks) in enumerate(zip(todo, pieces, strict=True)):
            chunks = [toks] if len(toks) <= limit else self._split_overlong(text, limit)
            if len(chunks) > 1:
                self.counters["segments_split_overlong"] += 1
            parts_of.append(len(chunks))
            units.extend((i, j, c, tgt) for j, c in enumerate(chunks))
        units.sort(key=lambda u: len(u[2]))
        outputs: dict[tuple[int, int], tuple[str, bool]] = {}
        results: dict[str, Translation] = {}
        remaining = list(parts_of)

        def collect(batch: list[tuple[int, int, list[str], str]], handles: list[Any]) -> None:
            for (owner, part, _, _), out in zip(batch, self._decode(batch, handles), strict=True):
                outputs[(owner, part)] = out
                remaining[owner] -= 1
            finished = []
            for owner, _, _, _ in batch:
                key = todo[owner][0]
                if remaining[owner] == 0 and key not in results:
                    parts = [outputs.pop((owner, j)) for j in range(parts_of[owner])]
                    text = joiner(todo[owner][2]).join(p[0] for p in parts)
                    tr = Translation(text, truncated=any(p[1] for p in parts), split=parts_of[owner] > 1)
                    results[key] = tr
                    finished.append((key, _encode_cached(tr)))
            self.cache.put_many(finished)
            if progress:
                progress(len(finished))

        # Chunks are submitted asynchronously with up to ``inflight`` queued, so CTranslate2's workers
        # never idle while this thread decodes and commits the previous chunk.
        pending: deque[tuple[list[tuple[int, int, list[str], str]], list[Any]]] = deque()
        for batch in self._chunks(units):
            pending.append((batch, self._submit(batch)))
            if len(pending) > self.options.inflight:
                collect(*pending.popleft())
        while pending:
            collect(*pending.popleft())
        self.counters["segments_translated"] += len(todo)
        return results

    def _translate_with_backend(
        self,
        todo: list[tuple[str, str, str]],
        translate_texts: Callable[..., list[str]],
        progress: Callable[[int], None] | None,
        chunk: int = 500,
    ) -> dict[str, Translation]:
        """Translate through a backend's ``translate_texts`` in chunks, committing each to the cache."""
        results: dict[str, Translation] = {}
        by_lang: dict[str, list[tuple[str, str]]] = {}
        for key, text, tgt in todo:
            by_lang.setdefault(tgt, []).append((key, text))
        for tgt, items in by_lang.items():
            for i in range(0, len(items), chunk):
                part = items[i : i + chunk]
                t0 = time.perf_counter()
                outs = translate_texts([t for _, t in part], self.src, tgt)
                self.mt_seconds += time.perf_counter() - t0
                done = [(k, Translation(o)) for (k, _), o in zip(part, outs, strict=True)]
                results.update(done)
                self.cache.put_many((k, _encode_cached(tr)) for k, tr in done)
                if progress:
                    progress(len(done))
        self.counters["segments_translated"] += len(todo)
        return results

    def _chunks(self, units: list[tuple[int, int, list[str], str]]) -> Iterator[list[tuple[int, int, list[str], str]]]:
        """Consecutive runs of (length-sorted) units, each about ``batches_per_chunk`` batches per worker (every
        worker of every device)."""
        chunk_tokens = self.options.budget() * self.options.batches_per_chunk * self.model.workers
        start = 0
        while start < len(units):
            end, used = start, 0
            while end < len(units) and (end == start or used + len(units[end][2]) + 2 <= chunk_tokens):
                used += len(units[end][2]) + 2
                end += 1
            yield units[start:end]
            start = end

    def _split_overlong(self, text: str, limit: int) -> list[list[str]]:
        """Split an over-long segment at word boundaries into parts of at most ``limit`` tokens."""
        words = text.split()
        if len(words) <= 1:
            toks = self.model.sp_source.encode(text, out_type=str)
            return [toks[i : i + limit] for i in range(0, len(toks), limit)]
        mid = len(words) // 2
        out: list[list[str]] = []
        for half in (" ".join(words[:mid]), " ".join(words[mid:])):
            toks = self.model.sp_source.encode(half, out_type=str)
            out.extend([toks] if len(toks) <= limit else self._split_overlong(half, limit))
        return out

    def _submit(self, batch: list[tuple[int, int, list[str], str]]) -> list[Any]:
        """Queue one chunk on CTranslate2's workers; returns one async result per unit."""
        fam, s = self.model.family, self.settings
        sources = [fam.frame_source(toks, self.src, tgt) for _, _, toks, tgt in batch]
        prefixes = [fam.target_prefix(tgt) for _, _, _, tgt in batch]
        t0 = time.perf_counter()
        handles = self.model.translator.translate_batch(
            sources,
            target_prefix=prefixes if any(prefixes) else None,
            max_batch_size=self.options.budget(),
            batch_type="tokens",
            asynchronous=True,
            beam_size=s.beam_size,
            max_input_length=0,  # inputs are already within the limit; never truncate silently
            max_decoding_length=s.max_decoding_length,
            min_decoding_length=s.min_decoding_length,
            length_penalty=s.length_penalty,
            repetition_penalty=s.repetition_penalty,
            no_repeat_ngram_size=s.no_repeat_ngram_size,
            sampling_topk=s.sampling_topk,
            sampling_temperature=s.sampling_temperature,
            return_scores=False,
            use_vmap=bool(self.model.restricted_to),
        )
        self.mt_seconds += time.perf_counter() - t0
        return handles

    def _decode(self, batch: list[tuple[int, int, list[str], str]], handles: list[Any]) -> list[tuple[str, bool]]:
        """Wait for a chunk's results (the wait counts as MT time) and detokenise them."""
        fam, max_len = self.model.family, self.settings.max_decoding_length
        t0 = time.perf_counter()
        try:
            results = [h.result() for h in handles]
        except RuntimeError as exc:  # the device, not the input: out of memory, a CUDA library, a driver
            raise translation_error(exc, self.model) from None
        self.mt_seconds += time.perf_counter() - t0
        out = []
        for (_, _, toks, tgt), res in zip(batch, results, strict=True):
            hyp = res.hypotheses[0]
            self.counters["tokens_in"] += len(toks)
            self.counters["tokens_out"] += len(hyp)
            text = self.model.sp_target.decode_pieces(fam.strip_output(hyp, tgt)).strip()
            out.append((text, len(hyp) >= max_len))
        return out


def _encode_cached(tr: Translation) -> str:
    flags = ("t" if tr.truncated else "") + ("s" if tr.split else "")
    return f"{flags}\x00{tr.text}"


def _decode_cached(value: str) -> Translation:
    flags, _, text = value.partition("\x00")
    return Translation(text, truncated="t" in flags, split="s" in flags)
