"""Known MT models: hub ids with family, size and coverage, as their model cards give them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownModel:
    hub_id: str
    family: str
    params: str
    languages: str
    licence: str


CATALOG: tuple[KnownModel, ...] = (
    KnownModel("facebook/nllb-200-distilled-600M", "nllb", "600M", "202 (FLORES-200)", "CC BY-NC 4.0"),
    KnownModel("facebook/nllb-200-distilled-1.3B", "nllb", "1.3B", "202 (FLORES-200)", "CC BY-NC 4.0"),
    KnownModel("facebook/nllb-200-1.3B", "nllb", "1.3B", "202 (FLORES-200)", "CC BY-NC 4.0"),
    KnownModel("facebook/nllb-200-3.3B", "nllb", "3.3B", "202 (FLORES-200)", "CC BY-NC 4.0"),
    KnownModel("facebook/m2m100_418M", "m2m100", "418M", "100", "MIT"),
    KnownModel("facebook/m2m100_1.2B", "m2m100", "1.2B", "100", "MIT"),
    KnownModel(
        "Helsinki-NLP/opus-mt-en-{xx}", "marian", "~75M", "one pair each (e.g. en-de, en-fr, en-zh)", "CC BY 4.0"
    ),
    KnownModel("Helsinki-NLP/opus-mt-en-mul", "marian-mul", "~75M", "many (>>xxx<< tokens)", "CC BY 4.0"),
    KnownModel("google/madlad400-3b-mt", "madlad", "3B", "400+ (<2xx> tokens)", "Apache-2.0"),
    KnownModel("google/madlad400-7b-mt", "madlad", "7B", "400+ (<2xx> tokens)", "Apache-2.0"),
)
