"""Single files written atomically: a failure leaves the old file whole and no temporary behind."""

import pytest

from xprep.io import write_text_atomic


def test_write_text_atomic_replaces_or_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "eval" / "xnli.de.clean.json"
    write_text_atomic(path, "first\n")
    assert path.read_text() == "first\n"

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("xprep.io.os.replace", broken)
    with pytest.raises(OSError):
        write_text_atomic(path, "second\n")
    assert path.read_text() == "first\n"
    assert [p.name for p in path.parent.iterdir()] == [path.name]
