"""Build an XQuAD-layout parallel QA set offline, to measure span projection where no XQuAD is at hand.

Source: English paragraphs (the sentences of one document of a CoNLL-U file, e.g. UD English PUD) with
answers taken from the dependency trees the way SQuAD answers look: contiguous noun-phrase, name and
number subtrees of 1-6 tokens (leading determiners and prepositions dropped), at most 5 non-overlapping
per paragraph. Target: Apertium's translation of each paragraph in HTML mode, every answer wrapped in its
own tag (<b>, <i>, <u>, <em>, <strong>); Apertium carries the tags through reordering, so the text
between an answer's first opening and last closing tag is its gold target answer, and the tag-stripped
output is the target context. Questions whose tags are lost or overlap are dropped (counted).

This is a proxy: the target side is rule-based MT, not a human translation, so scores on it are not
XQuAD scores. It ranks projection methods on real text with known answers.

    python scripts/make_qa_proxy.py ../shared/data/ud-pud/en_pud-ud-test.conllu --to es --out /tmp/qa-proxy
    xprep projection score --source /tmp/qa-proxy/en.json --target /tmp/qa-proxy/es.json --method align --json
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
from pathlib import Path

TAGS = ("b", "i", "u", "em", "strong")
MODES = {"es": "eng-spa", "ca": "eng-cat"}


def read_docs(path: Path) -> list[tuple[str, list[dict]]]:
    """(doc id, sentences) with each sentence's text and tokens (form, upos, head, deprel, start, end)."""
    docs: list[tuple[str, list[dict]]] = []
    sent: dict = {}
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("# newdoc id = "):
            docs.append((line.split("= ", 1)[1], []))
        elif line.startswith("# text = "):
            sent = {"text": line.split("= ", 1)[1], "tokens": []}
        elif line and not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            sent["tokens"].append({"id": int(cols[0]), "form": cols[1], "upos": cols[3], "head": int(cols[6]),
                                   "deprel": cols[7]})  # fmt: skip
        elif not line and sent.get("tokens"):
            pos = 0
            for tok in sent["tokens"]:  # character offsets of the forms in the sentence text
                start = sent["text"].find(tok["form"], pos)
                tok["start"], tok["end"] = (start, start + len(tok["form"])) if start >= 0 else (-1, -1)
                pos = tok["end"] if start >= 0 else pos
            docs[-1][1].append(sent)
            sent = {}
    return docs


def answers_of(sent: dict) -> list[tuple[int, int]]:
    """Character spans of SQuAD-like answers in one sentence (noun phrases, names, numbers)."""
    toks = sent["tokens"]
    children: dict[int, list[int]] = {}
    for t in toks:
        children.setdefault(t["head"], []).append(t["id"])

    def subtree(i: int) -> list[int]:
        out = [i]
        for c in children.get(i, []):
            out += subtree(c)
        return out

    spans = []
    for t in toks:
        if t["upos"] not in ("NOUN", "PROPN", "NUM") or t["deprel"] in ("compound", "flat", "fixed"):
            continue
        ids = sorted(subtree(t["id"]))
        if ids != list(range(ids[0], ids[-1] + 1)):
            continue  # not contiguous
        span = [toks[i - 1] for i in ids]
        while span and span[0]["upos"] in ("DET", "ADP", "PUNCT", "CCONJ"):
            span = span[1:]
        while span and span[-1]["upos"] in ("PUNCT", "ADP", "CCONJ"):
            span = span[:-1]
        if not 1 <= len(span) <= 6 or len(span) == len(toks) or span[0]["start"] < 0 or span[-1]["end"] < 0:
            continue
        spans.append((span[0]["start"], span[-1]["end"]))
    return sorted(set(spans))


def translate_marked(context: str, answers: list[tuple[int, int]], mode: str) -> str:
    pieces, pos = [], 0
    for tag, (a, b) in zip(TAGS, answers, strict=False):
        pieces += [html.escape(context[pos:a]), f"<{tag}>", html.escape(context[a:b]), f"</{tag}>"]
        pos = b
    pieces.append(html.escape(context[pos:]))
    res = subprocess.run(["apertium", "-u", "-f", "html", mode], input="".join(pieces), capture_output=True,
                         text=True, check=True)  # fmt: skip
    return res.stdout.strip()


def read_gold(marked: str, n: int) -> tuple[str, list[tuple[int, int] | None]]:
    """Tag-stripped context and each answer's (start, end) between its first opening and last closing tag."""
    plain, events = [], []
    for m in re.finditer(r"</?([a-z]+)>|[^<]+|<", marked):
        if m.group(1) in TAGS:
            events.append((m.group(0).startswith("</"), m.group(1), sum(len(p) for p in plain)))
        else:
            plain.append(html.unescape(m.group(0)))
    text = "".join(plain)
    gold: list[tuple[int, int] | None] = []
    for tag in TAGS[:n]:
        opens = [p for closing, t, p in events if t == tag and not closing]
        closes = [p for closing, t, p in events if t == tag and closing]
        gold.append((min(opens), max(closes)) if opens and closes and min(opens) < max(closes) else None)
    return text, gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("conllu", type=Path)
    ap.add_argument("--to", default="es", choices=sorted(MODES))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--per-paragraph", type=int, default=5)
    args = ap.parse_args()
    src_data, tgt_data, kept, dropped = [], [], 0, 0
    for doc, sents in read_docs(args.conllu):
        context, answers = "", []
        for s in sents:
            offset = len(context) + (1 if context else 0)
            context = f"{context} {s['text']}" if context else s["text"]
            answers += [(a + offset, b + offset) for a, b in answers_of(s)]
        chosen: list[tuple[int, int]] = []
        for a, b in answers:  # non-overlapping, spread over the paragraph
            if all(b <= x or a >= y for x, y in chosen):
                chosen.append((a, b))
        step = max(1, len(chosen) // args.per_paragraph)
        chosen = chosen[::step][: args.per_paragraph]
        if not chosen:
            continue
        target, gold = read_gold(translate_marked(context, chosen, MODES[args.to]), len(chosen))
        src_qas, tgt_qas = [], []
        for k, ((a, b), g) in enumerate(zip(chosen, gold, strict=True)):
            if g is None or not target[g[0] : g[1]].strip():
                dropped += 1
                continue
            qid = f"{doc}-{k}"
            question = f"Which words translate '{context[a:b]}'?"  # projection never reads the question
            src_qas.append({"id": qid, "question": question,
                            "answers": [{"text": context[a:b], "answer_start": a}]})  # fmt: skip
            ga, gb = g
            while ga < gb and target[ga].isspace():
                ga += 1
            while gb > ga and target[gb - 1].isspace():
                gb -= 1
            tgt_qas.append({"id": qid, "question": question,
                            "answers": [{"text": target[ga:gb], "answer_start": ga}]})  # fmt: skip
            kept += 1
        if src_qas:
            src_data.append({"title": doc, "paragraphs": [{"context": context, "qas": src_qas}]})
            tgt_data.append({"title": doc, "paragraphs": [{"context": target, "qas": tgt_qas}]})
    args.out.mkdir(parents=True, exist_ok=True)
    for lang, data in (("en", src_data), (args.to, tgt_data)):
        (args.out / f"{lang}.json").write_text(json.dumps({"version": "proxy", "data": data}, ensure_ascii=False))
    print(f"{len(src_data)} paragraphs, {kept} questions ({dropped} dropped: tags lost); {args.out}")


if __name__ == "__main__":
    main()
