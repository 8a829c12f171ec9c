"""Property tests: over random examples in several scripts, no constraint is ever violated, the budget is never
exceeded and the same seed gives the same adversaries.

The victim here is the real :class:`Victim` (budget, cache, query counts) whose forward pass is replaced by a
deterministic function of the input text, so that thousands of searches run in seconds; the end-to-end tests
attack real trained models.
"""

from __future__ import annotations

import collections
import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xprep.attack.constraints import Settings
from xprep.attack.lexicon import Lexicon
from xprep.attack.run import AttackConfig, attack_example, resolve
from xprep.attack.sites import View
from xprep.attack.transforms import TransformContext
from xprep.attack.victim import OutputCache, Victim
from xprep.hashing import stable_hash
from xprep.perturb.edits import WORD as _WORD
from xprep.perturb.edits import protected_word
from xprep.records import PairRecord, SpanRecord, TaggingRecord

SCRIPTS = {
    "en": "keeper island storm winter bees queen hive tower".split(),
    "de": "Haus Straße grün über schön Bäume Wasser".split(),
    "ru": "дом вода зима остров пчела башня".split(),
    "hi": "घर पानी सर्दी द्वीप मधुमक्खी".split(),
    "ar": "بيت ماء شتاء جزيرة نحلة".split(),
    "zh": "房子 水 冬天 岛 蜜蜂".split(),
}
EXTRA = ["not", "never", "1874", "42", "Maria", "Paris", "the", "and"]


class _Model:
    def to(self, device: str) -> _Model:
        return self

    def eval(self) -> _Model:
        return self


class _Tok:
    unk_token = "<unk>"


class HashVictim(Victim):
    """Outputs from SHA-256 of the input: deterministic, input-sensitive, no model."""

    def __init__(self, kind: str, labels: list[str] | None = None) -> None:
        super().__init__(_Model(), _Tok(), kind, labels, "hash", cache=OutputCache())

    def _forward(self, batch):  # noqa: ANN001, ANN202
        self.forward_passes += 1
        out = []
        for rec in batch:
            h = int(stable_hash(rec.to_dict() | {"id": "", "meta": {}}, length=12), 16)
            p = (h % 1000) / 1000
            if self.kind == "pair":
                out.append({"probs": [round(1 - p, 6), round(p, 6)]})
            elif self.kind == "span":
                words = rec.context.split()
                out.append({"answer": words[h % len(words)] if p > 0.3 else rec.answers[0]["text"],
                            "confidence": round(p, 6)})  # fmt: skip
            else:
                tags = [self.labels[(h >> i) % len(self.labels)] if p > 0.5 else g for i, g in enumerate(rec.tags)]
                out.append({"tags": tags, "gold_prob": round(p, 6)})
        return out


def _lexicon(lang: str) -> Lexicon:
    words = {w.lower() for ws in SCRIPTS.values() for w in ws}
    table = {w: [f"{w}x", f"{w} y"] for w in words}  # one single-word and one two-word translation
    return Lexicon(lang, tables={"fr": table, "sw": {w: [w[::-1]] for w in words}},
                   routes={"fr": "direct", "sw": "pivot:en"}, files={"fr": [], "sw": []})  # fmt: skip


words = st.sampled_from([w for ws in SCRIPTS.values() for w in ws] + EXTRA)
text = st.lists(words, min_size=2, max_size=9).map(" ".join)


def _run(rec, recipe: str, budget: int, seed: int = 0, lexicon: bool = True):  # noqa: ANN001, ANN202
    labels = ["O", "B-PER", "I-PER", "B-LOC"] if isinstance(rec, TaggingRecord) else None
    victim = HashVictim(rec.KIND, labels)
    r, cfg = resolve(AttackConfig(recipe, budget=budget, seed=seed), rec.KIND)
    pool = ["Bees live in hives. Queens lay eggs.", "Storms come in winter."]
    ctx = TransformContext(seed, "task", rec.lang, _lexicon(rec.lang) if lexicon else None, 2, 3, pool)
    return attack_example(rec, r, cfg, ctx, victim, Settings(max_change=cfg.max_change)), cfg


def _check_common(result: dict, cfg: AttackConfig) -> None:
    assert result["queries"] <= cfg.budget
    adv = result["adversarial"]
    if result["status"] in ("success", "partial") and len(adv["edits"]) > 1:
        assert adv["changed_words"] <= cfg.max_change * result["words"]
    assert result["adversarial"]["query"] <= result["queries"]


PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(a=text, b=text, lang=st.sampled_from(sorted(SCRIPTS)), recipe=st.sampled_from(["codemix", "charflip"]),
       budget=st.integers(1, 60))  # fmt: skip
def test_pair_protected_words_and_same_replacement(a, b, lang, recipe, budget):
    rec = PairRecord(id="p", lang=lang, text_a=a, text_b=b, label=1, num_labels=2)
    result, cfg = _run(rec, recipe, budget)
    _check_common(result, cfg)
    adv = PairRecord(**{k: v for k, v in result["adversarial"]["record"].items() if k != "kind"})
    for field in ("text_a", "text_b"):
        before = [w for i, w in enumerate(_WORD.findall(getattr(rec, field))) if protected_word(w, i == 0)]
        after = collections.Counter(_WORD.findall(getattr(adv, field)))
        assert not collections.Counter(before) - after  # every protected word is still there
    for edit in result["adversarial"]["edits"]:  # a replaced word type is gone from both sentences
        if edit["from"] not in _WORD.findall(edit["to"]):
            assert edit["from"] not in _WORD.findall(adv.text_a) + _WORD.findall(adv.text_b)


@PROPS
@given(q=text, lang=st.sampled_from(sorted(SCRIPTS)), recipe=st.sampled_from(["qa-question", "charflip", "codemix",
       "qa-distractor"]), budget=st.integers(1, 60))  # fmt: skip
def test_span_answers_stay_valid_and_untouched(q, lang, recipe, budget):
    ctx = "The keeper lived on the island. The storm came in winter."
    rec = SpanRecord(
        id="s",
        lang=lang,
        context=ctx,
        question=q + "?",
        answers=[{"text": "The keeper", "start": 0}, {"text": "winter", "start": ctx.index("winter")}],
    )
    result, cfg = _run(rec, recipe, budget)
    _check_common(result, cfg)
    adv = SpanRecord(**{k: v for k, v in result["adversarial"]["record"].items() if k != "kind"})
    adv.validate()  # every answer span still matches its offsets
    assert adv.answers == rec.answers
    if recipe == "qa-distractor":
        assert adv.question == rec.question and adv.context.startswith(ctx)
    else:
        assert adv.context == ctx


@PROPS
@given(tokens=st.lists(words, min_size=1, max_size=10), lang=st.sampled_from(sorted(SCRIPTS)),
       recipe=st.sampled_from(["ner-context", "codemix", "charflip"]), budget=st.integers(1, 60),
       data=st.data())  # fmt: skip
def test_tagging_lengths_tags_and_entities_unchanged(tokens, lang, recipe, budget, data):
    tags = data.draw(st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-LOC"]), min_size=len(tokens),
                              max_size=len(tokens)))  # fmt: skip
    rec = TaggingRecord(id="t", lang=lang, tokens=tokens, tags=tags)
    result, cfg = _run(rec, recipe, budget)
    _check_common(result, cfg)
    adv = result["adversarial"]["record"]
    assert len(adv["tokens"]) == len(tokens) and adv["tags"] == tags
    assert all(t.strip() and not any(c.isspace() for c in t) for t in adv["tokens"])
    for tok, new, tag in zip(tokens, adv["tokens"], tags, strict=True):
        if tag != "O":
            assert new == tok  # entity tokens are never attacked


@PROPS
@given(a=text, seed=st.integers(0, 3), recipe=st.sampled_from(["codemix", "charflip"]))
def test_same_seed_same_adversary(a, seed, recipe):
    rec = PairRecord(id="p", lang="en", text_a=a, text_b="the bees", label=1, num_labels=2)
    first, _ = _run(rec, recipe, 40, seed)
    again, _ = _run(dataclasses.replace(rec), recipe, 40, seed)
    assert first == again


def test_cached_queries_count_but_need_no_forward_pass():
    rec = PairRecord(id="p", lang="en", text_a="the keeper saw bees", text_b="bees", label=1, num_labels=2)
    victim = HashVictim("pair")
    r, cfg = resolve(AttackConfig("charflip", budget=30), "pair")
    ctx = TransformContext(0, "task", "en")
    first = attack_example(rec, r, cfg, ctx, victim, Settings(max_change=cfg.max_change))
    second = attack_example(rec, r, cfg, ctx, victim, Settings(max_change=cfg.max_change))
    assert first["forward_passes"] > 0 and second["forward_passes"] == 0
    assert second["queries"] == first["queries"] and second["cache_hits"] == first["queries"]
    assert second["adversarial"] == first["adversarial"]
    assert View(rec).n_words == 5
