"""The attacked model: batched outputs, a query budget that is never exceeded, and a content-addressed cache.

:meth:`Victim.outputs` scores a list of candidate records. Every candidate is one *query*, whether its output
comes from the model or from the cache; the candidates not in the cache are scored together, in forward passes
of at most ``batch_size`` records (one pass for a search step up to that size). Queries and forward passes are
counted apart. The cache key is SHA-256 of the model's fingerprint, the encoding settings and the record's
fields (id and meta excluded), so a cached output is reused only for the same model and input; the cache lives
in SQLite inside the attack's output folder and is committed after every example (a killed attack resumes).

Outputs (JSON, rounded to 6 decimals so that a cached and a fresh output compare equal):
pair/choice ``{"probs": [...]}``; span ``{"answer": str, "confidence": p}``; tagging
``{"tags": [...], "gold_prob": mean probability of the gold tags}``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xprep.hashing import stable_hash
from xprep.records import Record


@dataclass
class Budget:
    """Queries one example may use."""

    limit: int
    used: int = 0

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)


class OutputCache:
    """key -> JSON output, in memory and (with ``path``) in SQLite."""

    def __init__(self, path: Path | None = None) -> None:
        self.mem: dict[str, Any] = {}
        self.db = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path))
            self.db.execute("CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.pending: list[tuple[str, str]] = []

    def get(self, keys: Sequence[str]) -> dict[str, Any]:
        found = {k: self.mem[k] for k in keys if k in self.mem}
        missing = [k for k in keys if k not in found]
        if self.db is not None and missing:
            for start in range(0, len(missing), 500):
                part = missing[start : start + 500]
                rows = self.db.execute(
                    f"SELECT key, value FROM outputs WHERE key IN ({','.join('?' * len(part))})", part
                ).fetchall()
                for k, v in rows:
                    found[k] = self.mem[k] = json.loads(v)
        return found

    def put(self, items: dict[str, Any]) -> None:
        self.mem.update(items)
        self.pending += [(k, json.dumps(v, ensure_ascii=False)) for k, v in items.items()]

    def commit(self) -> None:
        if self.db is not None and self.pending:
            self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?)", self.pending)
            self.db.commit()
        self.pending = []

    def close(self) -> None:
        self.commit()
        if self.db is not None:
            self.db.close()
            self.db = None


def fingerprint(model_dir: Path) -> str:
    """SHA-256 over the model folder's weights and configuration files (what the cache key needs)."""
    from xprep.io import sha256_file

    files = sorted(
        p for p in model_dir.iterdir() if p.is_file() and p.suffix in (".json", ".safetensors", ".bin", ".model")
    )
    return stable_hash([(p.name, sha256_file(p)) for p in files])


class Victim:
    """A trained target model behind a query counter and a cache."""

    def __init__(
        self,
        model: Any,
        tok: Any,
        kind: str,
        tag_labels: Sequence[str] | None,
        fingerprint: str,
        max_length: int = 256,
        stride: int = 128,
        device: str = "cpu",
        batch_size: int = 64,
        cache: OutputCache | None = None,
    ) -> None:
        self.model, self.tok, self.kind = model.to(device).eval(), tok, kind
        self.labels = list(tag_labels or [])
        self.max_length, self.stride, self.device, self.batch_size = max_length, stride, device, batch_size
        self.cache = cache or OutputCache()
        self.fp = stable_hash(fingerprint, kind, max_length, stride, self.labels)
        self.queries = 0
        self.forward_passes = 0
        self.cache_hits = 0

    def key(self, rec: Record) -> str:
        data = rec.to_dict()
        return stable_hash(self.fp, {k: v for k, v in data.items() if k not in ("id", "meta", "lang")})

    def outputs(self, records: Sequence[Record], budget: Budget | None = None) -> list[dict[str, Any]]:
        """Outputs for ``records`` (at most ``budget.left`` of them: the rest are not scored)."""
        if budget is not None:
            records = records[: budget.left]
            budget.used += len(records)
        if not records:
            return []
        self.queries += len(records)
        keys = [self.key(r) for r in records]
        found = self.cache.get(keys)
        self.cache_hits += sum(1 for k in keys if k in found)
        todo: dict[str, Record] = {}
        for k, r in zip(keys, records, strict=True):
            if k not in found and k not in todo:
                todo[k] = r
        todo_keys = list(todo)
        fresh: dict[str, Any] = {}
        for start in range(0, len(todo_keys), self.batch_size):
            part = todo_keys[start : start + self.batch_size]
            fresh.update(zip(part, self._forward([todo[k] for k in part]), strict=True))
        self.cache.put(fresh)
        found.update(fresh)
        return [found[k] for k in keys]

    def _forward(self, batch: list[Record]) -> list[dict[str, Any]]:
        import torch

        from xprep.train.features import encode

        enc = encode(batch, self.tok, self.max_length, self.stride, self.labels)
        with torch.inference_mode():
            res = self.model(**{n: v.to(self.device) for n, v in enc.inputs.items()})
        self.forward_passes += 1
        if self.kind in ("pair", "choice"):
            probs = torch.softmax(res.logits.float(), -1).tolist()
            return [{"probs": [round(p, 6) for p in row]} for row in probs]
        if self.kind == "span":
            return _spans(batch, enc, res)
        return _tags(batch, enc, res, self.labels)


def _spans(batch: list[Any], enc: Any, res: Any, max_answer: int = 30) -> list[dict[str, Any]]:
    """Best span per record over its windows (start + end logit, top 20 each), with its probability."""
    import torch

    from xprep.train.loop import best_spans

    p_start = torch.softmax(res.start_logits.float(), -1)
    p_end = torch.softmax(res.end_logits.float(), -1)
    best = best_spans(batch, enc, res, max_answer)
    out = []
    for i in range(len(batch)):
        if i not in best:
            out.append({"answer": "", "confidence": 0.0})
            continue
        _, answer, (w, s, e) = best[i]
        out.append({"answer": answer, "confidence": round(float(p_start[w, s] * p_end[w, e]), 6)})
    return out


def _tags(batch: list[Any], enc: Any, res: Any, labels: Sequence[str]) -> list[dict[str, Any]]:
    """Tag of each word's first sub-token and the mean probability of the gold tags (a word cut off: "O", 0)."""
    import torch

    probs = torch.softmax(res.logits.float(), -1)
    index = {t: i for i, t in enumerate(labels)}
    out = []
    for b, rec in enumerate(batch):
        tags, gold_p, seen = [], 0.0, set()
        for pos, w in enumerate(enc.word_ids[b]):
            if w is None or w in seen:
                continue
            seen.add(w)
            k = int(probs[b, pos].argmax())
            tags.append(labels[k] if labels else str(k))
            if rec.tags[w] in index:
                gold_p += float(probs[b, pos, index[rec.tags[w]]])
        n = len(rec.tokens)
        out.append({"tags": tags + ["O"] * (n - len(tags)), "gold_prob": round(gold_p / max(n, 1), 6)})
    return out
