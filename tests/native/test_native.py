"""Every native dataset: a small file in that dataset's exact release (or hub-row) format, through its adapter."""

import json

import datasets
import pytest
from click.testing import CliRunner

from xprep.cli import main
from xprep.errors import InputError
from xprep.manifest import verify
from xprep.native import NATIVE, load_native
from xprep.records import ChoiceRecord, PairRecord, SpanRecord, TaggingRecord

from ..conftest import SHARED_DATA


def _jsonl(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _squad(ctx, qas, lang=None):
    doc = {
        "version": "1",
        "data": [
            {
                "title": "t",
                "paragraphs": [
                    {
                        "context": ctx,
                        "qas": [
                            {"id": qid, "question": q, "answers": [{"text": a, "answer_start": ctx.find(a)}]}
                            for qid, q, a in qas
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False)


def _hub_squad(rid, ctx, q, a, **extra):
    return {
        "id": rid,
        "title": "t",
        "context": ctx,
        "question": q,
        "answers": {"text": [a], "answer_start": [ctx.find(a)]},
        **extra,
    }


# name -> (language, format, file name, file text, expected (kind class, count, first label or answer))
EXAMPLES = {
    "ocnli": (
        "zh",
        "hub-jsonl",
        "ocnli.jsonl",
        _jsonl(
            [
                {
                    "sentence1": "我们今天去公园散步了。",
                    "sentence2": "我们今天出门了。",
                    "label": "entailment",
                    "idx": 0,
                },
                {"sentence1": "他在图书馆看书。", "sentence2": "他在游泳。", "label": "contradiction", "idx": 1},
                {"sentence1": "测试集没有标签。", "sentence2": "无。", "label": -1, "idx": 2},
            ]
        ),
        (PairRecord, 2, 0),
    ),
    "klue-nli": (
        "ko",
        "hub-jsonl",
        "klue.jsonl",
        _jsonl(
            [
                {
                    "guid": "klue-nli-v1_train_1",
                    "source": "NSMC",
                    "premise": "힛걸 진심 최고다 그 어떤 히어로보다 멋지다",
                    "hypothesis": "힛걸 진심 최고로 멋지다.",
                    "label": "entailment",
                }
            ]
        ),
        (PairRecord, 1, 0),
    ),
    "jnli": (
        "ja",
        "jglue-json",
        "jnli.json",
        _jsonl(
            [
                {
                    "sentence_pair_id": "0",
                    "yjcaptions_id": "100-1",
                    "sentence1": "街中の道路を大きなバスが走っています。",
                    "sentence2": "道路を大きなバスが走っています。",
                    "label": "entailment",
                }
            ]
        ),
        (PairRecord, 1, 0),
    ),
    "indonli": (
        "id",
        "hub-jsonl",
        "indonli.jsonl",
        _jsonl(
            [
                {
                    "premise": "Presiden meresmikan jembatan baru di kota itu.",
                    "hypothesis": "Ada jembatan baru.",
                    "label": 0,
                }
            ]
        ),
        (PairRecord, 1, 0),
    ),
    "lcqmc": (
        "zh",
        "tsv",
        "lcqmc.tsv",
        "text_a\ttext_b\tlabel\n喜欢打篮球的男生喜欢什么样的女生\t爱打篮球的男生喜欢什么样的女生\t1\n"
        "我手机丢了，我想换个手机\t我想买个新手机，求推荐\t1\n",
        (PairRecord, 2, 1),
    ),
    "pawsx": (
        "de",
        "hub-jsonl",
        "pawsx.jsonl",
        _jsonl(
            [
                {
                    "id": 1,
                    "sentence1": "Der Fluss fließt durch die Stadt.",
                    "sentence2": "Durch die Stadt fließt der Fluss.",
                    "label": 1,
                }
            ]
        ),
        (PairRecord, 1, 1),
    ),
    "jcommonsenseqa": (
        "ja",
        "jglue-json",
        "jcsqa.json",
        _jsonl(
            [
                {
                    "q_id": 0,
                    "question": "主に子ども向けのもので、イラストのついた物語が書かれているものはどれ？",
                    "choice0": "世界",
                    "choice1": "写真集",
                    "choice2": "絵本",
                    "choice3": "論文",
                    "choice4": "図鑑",
                    "label": 2,
                }
            ]
        ),
        (ChoiceRecord, 1, 2),
    ),
    "kobest-hellaswag": (
        "ko",
        "hub-jsonl",
        "kbhs.jsonl",
        _jsonl(
            [
                {
                    "context": "모자를 쓴 투수가 타자에게 온 힘을 다해 공을 던진다.",
                    "ending_1": "공을 받은 타자가 공을 바닥에 던진다.",
                    "ending_2": "타자가 공을 쳐서 멀리 보낸다.",
                    "ending_3": "투수가 모자를 벗는다.",
                    "ending_4": "관중이 잠을 잔다.",
                    "label": 1,
                }
            ]
        ),
        (ChoiceRecord, 1, 1),
    ),
    "kobest-copa": (
        "ko",
        "hub-jsonl",
        "kbcopa.jsonl",
        _jsonl(
            [
                {
                    "premise": "물을 오래 끓였다.",
                    "question": "결과",
                    "alternative_1": "물의 양이 늘어났다.",
                    "alternative_2": "물의 양이 줄어들었다.",
                    "label": 1,
                }
            ]
        ),
        (ChoiceRecord, 1, 1),
    ),
    "c3": (
        "zh",
        "hub-jsonl",
        "c3.jsonl",
        _jsonl(
            [
                {
                    "id": 0,
                    "context": ["男：你今天怎么这么高兴？", "女：我考试通过了。"],
                    "question": "女的为什么高兴？",
                    "choice": ["考试通过了", "买了新衣服", "天气很好"],
                    "answer": "考试通过了",
                }
            ]
        ),
        (ChoiceRecord, 1, 0),
    ),
    "xcopa": (
        "sw",
        "hub-jsonl",
        "xcopa.jsonl",
        _jsonl(
            [
                {
                    "premise": "Mwanamume alifungua bomba.",
                    "choice1": "Choo kilijaa maji.",
                    "choice2": "Maji yalitoka kwenye bomba.",
                    "question": "effect",
                    "label": 1,
                    "idx": 1,
                    "changed": False,
                }
            ]
        ),
        (ChoiceRecord, 1, 1),
    ),
    "xstorycloze": (
        "es",
        "hub-jsonl",
        "xsc.jsonl",
        _jsonl(
            [
                {
                    "story_id": "s1",
                    "input_sentence_1": "Ana quería aprender a nadar.",
                    "input_sentence_2": "Se apuntó a clases.",
                    "input_sentence_3": "Practicó cada semana.",
                    "input_sentence_4": "Al final del verano cruzó la piscina.",
                    "sentence_quiz1": "Ana estaba orgullosa.",
                    "sentence_quiz2": "Ana odiaba el agua desde siempre.",
                    "answer_right_ending": 1,
                }
            ]
        ),
        (ChoiceRecord, 1, 0),
    ),
    "germanquad": (
        "de",
        "hub-jsonl",
        "gq.jsonl",
        _jsonl([_hub_squad("g1", "Der Rhein ist ein Fluss in Mitteleuropa.", "Wo ist der Rhein?", "in Mitteleuropa")]),
        (SpanRecord, 1, "in Mitteleuropa"),
    ),
    "sberquad": (
        "ru",
        "hub-jsonl",
        "sq.jsonl",
        _jsonl([_hub_squad("s1", "Москва является столицей России.", "Столица России?", "Москва")]),
        (SpanRecord, 1, "Москва"),
    ),
    "korquad": (
        "ko",
        "squad-json",
        "korquad.json",
        _squad("서울은 대한민국의 수도이다.", [("k1", "한국의 수도는?", "서울")]),
        (SpanRecord, 1, "서울"),
    ),
    "jsquad": (
        "ja",
        "squad-json",
        "jsquad.json",
        _squad("東京は日本の首都である。", [("j1", "日本の首都は?", "東京")]),
        (SpanRecord, 1, "東京"),
    ),
    "drcd": (
        "zh-Hant",
        "squad-json",
        "drcd.json",
        _squad("台北是臺灣的首都。", [("d1", "臺灣的首都是哪裡？", "台北")]),
        (SpanRecord, 1, "台北"),
    ),
    "cmrc2018": (
        "zh",
        "hub-jsonl",
        "cmrc.jsonl",
        _jsonl([_hub_squad("c1", "长城是中国古代的军事防御工程。", "长城是什么？", "军事防御工程")]),
        (SpanRecord, 1, "军事防御工程"),
    ),
    "jaquad": (
        "ja",
        "hub-jsonl",
        "jaquad.jsonl",
        _jsonl(
            [
                _hub_squad(
                    "j1",
                    "富士山は日本で最も高い山である。",
                    "日本で最も高い山は？",
                    "富士山",
                    question_type="Multiple sentence reasoning",
                )
            ]
        ),
        (SpanRecord, 1, "富士山"),
    ),
    "tydiqa-goldp": (
        "fi",
        "hub-jsonl",
        "tydi.jsonl",
        _jsonl(
            [
                _hub_squad(
                    "finnish-123-0", "Helsinki on Suomen pääkaupunki.", "Mikä on Suomen pääkaupunki?", "Helsinki"
                ),
                _hub_squad("swahili-9-0", "Nairobi ni mji mkuu wa Kenya.", "Mji mkuu wa Kenya ni upi?", "Nairobi"),
            ]
        ),
        (SpanRecord, 1, "Helsinki"),
    ),
    "fquad": (
        "fr",
        "squad-json",
        "fquad.json",
        _squad("Paris est la capitale de la France.", [("f1", "Quelle est la capitale ?", "Paris")]),
        (SpanRecord, 1, "Paris"),
    ),
    "ud-upos": (
        "de",
        "conllu",
        "de.conllu",
        "# sent_id = 1\n# text = Der Hund bellt.\n"
        "1\tDer\tder\tDET\tART\t_\t2\tdet\t_\t_\n2\tHund\tHund\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n"
        "3\tbellt\tbellen\tVERB\tVVFIN\t_\t0\troot\t_\tSpaceAfter=No\n4\t.\t.\tPUNCT\t$.\t_\t3\tpunct\t_\t_\n\n",
        (TaggingRecord, 1, "DET"),
    ),
    "german-ccgbank": ("de", "conll", "deccg.tags", "Der\tNP/N\nHund\tN\nbellt\tS\\NP\n\n", (TaggingRecord, 1, "NP/N")),
    "pmb-ccg": ("it", "conll", "pmb.tags", "Il\tNP/N\ncane\tN\nabbaia\tS\\NP\n\n", (TaggingRecord, 1, "NP/N")),
}


def test_registry_covers_the_issue():
    assert len(NATIVE) >= 15
    kinds = {NATIVE.get(n).kind for n in NATIVE}
    assert kinds == {"pair", "choice", "span", "tagging"}
    langs = {lang for n in NATIVE for lang in NATIVE.get(n).langs} - {"*", "en"}
    assert len(langs) >= 8
    assert set(EXAMPLES) == set(NATIVE), "every registered dataset has a release-format example here"
    assert NATIVE.get("korquad").no_derivatives
    assert NATIVE.get("pawsx").origin == "mixed" and NATIVE.get("xcopa").origin == "human-translated"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_adapter_on_release_format(name, tmp_path):
    lang, fmt, fname, text, (cls, count, first) = EXAMPLES[name]
    path = tmp_path / fname
    path.write_text(text, encoding="utf-8")
    spec = NATIVE.get(name)
    assert spec.licence and spec.citation and spec.stands_in_for
    records = list(load_native(name, lang, "train", path, fmt))
    assert len(records) == count and all(isinstance(r, cls) for r in records)
    assert all(r.lang == lang for r in records)
    rec = records[0]
    got = {
        PairRecord: lambda r: r.label,
        ChoiceRecord: lambda r: r.label,
        SpanRecord: lambda r: r.answers[0]["text"],
        TaggingRecord: lambda r: r.tags[0],
    }[cls](rec)
    assert got == first
    if isinstance(rec, SpanRecord):
        a = rec.answers[0]
        assert rec.context[a["start"] : a["start"] + len(a["text"])] == a["text"]


def test_label_order_comes_from_the_hub_classlabel():
    adapt = NATIVE.get("ocnli").adapter
    row = {"sentence1": "a", "sentence2": "b", "label": 0, "idx": 5}
    assert adapt(row, "zh", ["neutral", "entailment", "contradiction"]).label == 1  # neutral -> canonical 1
    assert adapt(row, "zh", ["entailment", "neutral", "contradiction"]).label == 0


def test_bad_inputs(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("a\tb\tmaybe\nc\td\t2\n")
    with pytest.raises(InputError, match="x.tsv:2"):
        list(load_native("lcqmc", "zh", "train", path))
    with pytest.raises(InputError, match="has no language 'fr'"):
        list(load_native("klue-nli", "fr", "train", path))
    with pytest.raises(InputError, match="not on the hub"):
        list(load_native("fquad", "fr", "train"))


def test_native_build_checks_and_reports_a_mislabeled_language(tmp_path):
    src = tmp_path / "klue.jsonl"
    english = [
        {
            "guid": f"g{i}",
            "premise": f"The weather in the city was very pleasant on day {i} of the trip.",
            "hypothesis": "It was a nice day outside.",
            "label": i % 3,
        }
        for i in range(8)
    ]
    src.write_text(_jsonl(english + [dict(english[0], guid="g-copy"), english[1]]))  # same text; a repeated id
    res = CliRunner().invoke(
        main,
        ["native", "build", "klue-nli", "--lang", "ko", "--source", str(src), "--out", str(tmp_path / "build")],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    assert "WARNING" in res.output and "'ko'" in res.output
    cell = tmp_path / "build" / "klue-nli" / "ko" / "train"
    assert verify(cell) == []
    man = json.loads((cell / "manifest.json").read_text())
    q = man["computed"]["quality"]
    assert q["langid_rate"] == 0.0 and q["duplicates"] == 1 and q["labels"] == {"0": 4, "1": 3, "2": 2}
    assert man["computed"]["counts"]["dropped_by_reason"] == {"duplicate_id": 1}
    assert man["declared"]["native"]["stands_in_for"] == "mnli"


def test_native_build_korean_passes_and_mix(tmp_path):
    rows = [
        {
            "guid": f"k{i}",
            "premise": f"오늘은 날씨가 정말 좋아서 공원에서 산책을 했다 {i}.",
            "hypothesis": "오늘 밖에 나갔다.",
            "label": i % 3,
        }
        for i in range(6)
    ]
    (tmp_path / "ko.jsonl").write_text(_jsonl(rows))
    out = tmp_path / "build"
    runner = CliRunner()
    res = runner.invoke(
        main, ["native", "build", "klue-nli", "--source", str(tmp_path / "ko.jsonl"), "--out", str(out)]
    )
    assert res.exit_code == 0 and "WARNING" not in res.output, res.output
    res = runner.invoke(
        main,
        [
            "native",
            "build",
            "indonli",
            "--source",
            str(tmp_path / "ko.jsonl"),
            "--out",
            str(out),
            "--format",
            "hub-jsonl",
        ],
    )
    assert res.exit_code == 0
    mix = runner.invoke(
        main,
        [
            "native",
            "mix",
            "--part",
            f"{out}/klue-nli/ko/train:3",
            "--part",
            f"{out}/indonli/id/train:1",
            "--name",
            "nli-mix",
            "--size",
            "8",
            "--out",
            str(out),
        ],
    )
    assert mix.exit_code == 0, mix.output
    cell = out / "nli-mix" / "mix" / "train"
    man = json.loads((cell / "manifest.json").read_text())
    assert [m["taken"] for m in man["computed"]["mix"]] == [6, 2] and man["computed"]["counts"]["out"] == 8
    assert man["computed"]["languages"] == {"ko": 6, "id": 2}
    assert len(datasets.load_from_disk(str(cell))) == 8
    listing = runner.invoke(main, ["native", "list", "--kind", "span"]).output
    assert "korquad" in listing and "NO DERIVATIVES" in listing and "ocnli" not in listing


@pytest.mark.skipif(not (SHARED_DATA / "ud-pud").is_dir(), reason="../shared/data/ud-pud is absent")
def test_conllu_adapter_on_parallel_ud(tmp_path):
    records = list(load_native("ud-upos", "de", "test", SHARED_DATA / "ud-pud" / "de_pud-ud-test.conllu"))
    assert len(records) == 1000 and records[0].id == "n01001011"
    assert records[0].tokens[:3] == ["„", "Ein", "Großteil"] and records[0].tags[:3] == ["PUNCT", "DET", "NOUN"]


def test_tydiqa_goldp_lists_only_the_goldp_languages():
    # TyDi QA's primary task has Japanese and Thai; its GoldP (secondary) task does not
    assert set(NATIVE.get("tydiqa-goldp").langs) == {"ar", "bn", "fi", "id", "ko", "ru", "sw", "te"}
