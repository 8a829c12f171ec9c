"""FreeDict dictd databases -> MUSE lexicons: a synthetic database in the exact format, and the real ones."""

import gzip

import pytest
from click.testing import CliRunner

from xprep.assets.freedict import DICTD_DIR, dictd_number, import_freedict, parse_entry
from xprep.cli import main
from xprep.errors import InputError

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(n):
    out = ""
    while True:
        out = _B64[n % 64] + out
        n //= 64
        if not n:
            return out


def test_dictd_numbers():
    assert [dictd_number(x) for x in ("A", "B", "BA", "/", "B/")] == [0, 1, 64, 63, 127]
    assert all(dictd_number(_b64(n)) == n for n in (0, 5, 64, 4095, 123456))


def test_parse_entry_keeps_translations_only():
    entry = (
        "house /hˈaʊs/\n1. Haus <neut>, Gebäude <neut> [arch.]\n2. Familie <fem>; Geschlecht (adlig)\n"
        '      "The house is big." - Das Haus ist groß.\n   Synonym: {home}\n see: {houses}\n'
    )
    assert parse_entry(entry) == ("house", ["Haus", "Gebäude", "Familie", "Geschlecht"])


def test_import_from_a_synthetic_database(tmp_path):
    entries = [
        ("00databaseinfo", "English-Test FreeDict\n"),
        ("cat", "cat /kæt/\nKatze <fem>\n"),
        ("ice cream", "ice cream /aɪs/\nEis <neut>\n"),
        ("run", "run /rʌn/\n1. laufen\n2. rennen, davonlaufen\n"),
        ("void", "void /vɔɪd/\n see: {empty}\n"),
    ]
    blob, index = b"", []
    for head, text in entries:
        data = text.encode()
        index.append(f"{head}\t{_b64(len(blob))}\t{_b64(len(data))}")
        blob += data
    (tmp_path / "freedict-eng-tst.index").write_text("\n".join(index) + "\n")
    (tmp_path / "freedict-eng-tst.dict.dz").write_bytes(gzip.compress(blob))
    path, man = import_freedict("freedict:eng-tst", tmp_path / "out", directory=tmp_path, max_per_word=2)
    assert path.read_text().splitlines() == ["cat\tKatze", "run\tlaufen", "run\trennen"]
    assert man["counts"]["skipped_multiword_headword"] == 1 and man["counts"]["skipped_no_translation"] == 1
    with pytest.raises(InputError, match="apt-get install dict-freedict-eng-xxx"):
        import_freedict("freedict:eng-xxx", tmp_path / "o", directory=tmp_path)


@pytest.mark.skipif(
    not (DICTD_DIR / "freedict-eng-deu.index").is_file(),
    reason="dict-freedict-eng-deu is not installed (apt-get install dict-freedict-eng-deu)",
)
def test_real_english_german_freedict(tmp_path):
    res = CliRunner().invoke(main, ["dict", "import", "freedict:eng-deu", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    lines = (tmp_path / "en-de.txt").read_text().splitlines()
    assert len(lines) > 100_000
    assert "cat\tKatze" in lines and "house\tHaus" in lines
    assert all(line.count("\t") == 1 and "<" not in line and "/" not in line for line in lines)
