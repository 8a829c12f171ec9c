import pytest

from xprep.errors import UnknownNameError
from xprep.registry import Registry


def test_registry_duplicates_and_did_you_mean():
    reg: Registry[int] = Registry("thing")
    reg.add("mnli", 1)
    reg.add("qqp", 2)
    with pytest.raises(ValueError, match="duplicate"):
        reg.add("mnli", 3)
    with pytest.raises(UnknownNameError) as exc:
        reg.get("mnlii")
    assert "did you mean 'mnli'" in exc.value.one_line()
    assert "known: mnli, qqp" in exc.value.one_line()
    assert reg.names() == ["mnli", "qqp"] and "qqp" in reg and len(reg) == 2
