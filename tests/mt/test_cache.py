from xprep.mt.cache import TranslationCache, cache_key


def test_cache_key_changes_with_every_input():
    base = cache_key("m1", "en", "de", {"beam_size": 4}, "Hello.")
    assert base == cache_key("m1", "en", "de", {"beam_size": 4}, "Hello.")
    assert (
        len(
            {
                base,
                cache_key("m2", "en", "de", {"beam_size": 4}, "Hello."),
                cache_key("m1", "en", "fr", {"beam_size": 4}, "Hello."),
                cache_key("m1", "en", "de", {"beam_size": 1}, "Hello."),
                cache_key("m1", "en", "de", {"beam_size": 4}, "Hello!"),
                cache_key("m1", "en", "de", {"beam_size": 4}, "Hello.", "cuda", ""),
                cache_key("m1", "en", "de", {"beam_size": 4}, "Hello.", "cpu", "int8_float32"),
                cache_key("m1", "en", "de", {"beam_size": 4}, "Hello.", "cpu", "float32"),
            }
        )
        == 8
    )


def test_cache_persists(tmp_path):
    path = tmp_path / "c.sqlite"
    cache = TranslationCache(path)
    cache.put_many([("k1", "eins"), ("k2", "zwei")])
    cache.close()
    again = TranslationCache(path)
    assert again.get_many(["k1", "k3", "k2"]) == {"k1": "eins", "k2": "zwei"}
    assert len(again) == 2
    keys = [f"k{i}" for i in range(2000)]
    again.put_many((k, k.upper()) for k in keys)
    assert len(again.get_many(keys)) == 2000  # more keys than SQLite's bound-variable limit
