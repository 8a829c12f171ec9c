"""Retrieval evaluation loads its encoder once per evaluation (not twice per language), on the device asked."""

import pytest


@pytest.fixture
def counted_loads(monkeypatch):
    import transformers

    calls = []
    original = transformers.AutoModel.from_pretrained

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", counting)
    return calls


def test_tatoeba_and_bucc_load_the_encoder_once(tiny_xlmr, tmp_path, counted_loads):
    from xprep.evaluate.retrieval import evaluate_bucc, evaluate_tatoeba

    for lang in ("deu", "fra"):
        (tmp_path / f"tatoeba.{lang}-eng.{lang}").write_text("Die Katze schläft.\nIch lese ein Buch.\n")
        (tmp_path / f"tatoeba.{lang}-eng.eng").write_text("The cat sleeps.\nI read a book.\n")
    rows = evaluate_tatoeba(str(tiny_xlmr), tmp_path, ["deu", "fra"], layer=1, device="cpu")
    assert [r["lang"] for r in rows] == ["deu", "fra"] and len(counted_loads) == 1
    for lang in ("de", "fr"):
        (tmp_path / f"{lang}-en.test.{lang}").write_text("d1\tDie Katze schläft.\nd2\tIch lese ein Buch.\n")
        (tmp_path / f"{lang}-en.test.en").write_text("e1\tThe cat sleeps.\ne2\tI read a book.\n")
        (tmp_path / f"{lang}-en.test.gold").write_text("d1\te1\n")
    rows = evaluate_bucc(str(tiny_xlmr), tmp_path, ["de", "fr"], layer=1, device="cpu")
    assert [r["lang"] for r in rows] == ["de", "fr"] and len(counted_loads) == 2


def test_embeddings_come_back_on_the_cpu(tiny_xlmr):
    from xprep.evaluate.retrieval import embed_sentences, load_encoder

    encoder = load_encoder(str(tiny_xlmr), "cpu")
    vectors = embed_sentences(encoder, ["The cat sleeps.", "I read a book."], layer=1)
    assert vectors.device.type == "cpu" and tuple(vectors.shape)[0] == 2
    assert embed_sentences(str(tiny_xlmr), ["The cat sleeps."], layer=1)[0].allclose(vectors[0], atol=1e-6)
