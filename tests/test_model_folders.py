"""Model and asset folders are written only where they are new, empty or xprep's own: a user's files survive."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from xprep.cli import main


@pytest.fixture
def users_folder(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["models", "tiny", "--out", "{out}"],
        ["models", "convert", "some/model", "--out", "{out}", "--force"],
        ["models", "e5-small", "--out", "{out}"],
    ],
)
def test_a_users_folder_is_refused_even_with_force(args, users_folder):
    res = CliRunner().invoke(main, [a.replace("{out}", str(users_folder)) for a in args])
    assert res.exit_code == 2, res.output
    assert "not a folder xprep wrote" in res.output and len(res.output.strip().splitlines()) == 1
    assert [p.name for p in users_folder.iterdir()] == ["thesis.tex"]
    assert (users_folder / "thesis.tex").read_text(encoding="utf-8") == "years of work"


def test_restrict_refuses_a_users_folder(tiny_m2m100, users_folder, tmp_path):
    text = tmp_path / "de.txt"
    text.write_text("Hallo Welt\n", encoding="utf-8")
    args = ["models", "restrict", str(tiny_m2m100), "--out", str(users_folder), "--text", f"de={text}", "--force"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "not a folder xprep wrote" in res.output
    assert [p.name for p in users_folder.iterdir()] == ["thesis.tex"]


def test_xprep_rewrites_its_own_model_folder(tmp_path):
    out = tmp_path / "tiny"
    for _ in range(2):  # the second run replaces the first model (it holds xprep_model.json)
        res = CliRunner().invoke(main, ["models", "tiny", "--out", str(out)])
        assert res.exit_code == 0, res.output
    assert (out / "xprep_model.json").is_file()


def test_dict_import_does_not_replace_a_users_file(tmp_path):
    from xprep.assets.freedict import import_freedict
    from xprep.errors import InputError

    out = tmp_path / "lex"
    out.mkdir()
    (out / "en-de.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputError, match="not written by xprep dict import"):
        import_freedict("freedict:eng-deu", out)
    assert (out / "en-de.txt").read_text(encoding="utf-8") == "mine\n"
