"""Language codes: ISO 639-1/3 as users write them, mapped to what each MT family expects.

NLLB-200 uses FLORES-200 codes (``deu_Latn``); M2M100 uses ISO 639-1 in ``__de__`` tokens;
MADLAD-400 uses ``<2de>``; multilingual OPUS-MT uses ``>>deu<<``. Whether a *given* model supports a
language is decided against that model's own vocabulary (see :mod:`xprep.mt.families`), so these
tables only need to translate codes, not to list every model's coverage.
"""

from __future__ import annotations

from xprep.errors import UnknownNameError

# ISO 639-1 (or 639-3 where no 639-1 exists) -> FLORES-200 code, for the languages of XTREME and the
# study plus other widely used ones. A FLORES-200 code given directly is accepted as-is.
FLORES: dict[str, str] = {
    "af": "afr_Latn",
    "am": "amh_Ethi",
    "ar": "arb_Arab",
    "az": "azj_Latn",
    "be": "bel_Cyrl",
    "bg": "bul_Cyrl",
    "bn": "ben_Beng",
    "bs": "bos_Latn",
    "ca": "cat_Latn",
    "cs": "ces_Latn",
    "cy": "cym_Latn",
    "da": "dan_Latn",
    "de": "deu_Latn",
    "el": "ell_Grek",
    "en": "eng_Latn",
    "eo": "epo_Latn",
    "es": "spa_Latn",
    "et": "est_Latn",
    "eu": "eus_Latn",
    "fa": "pes_Arab",
    "fi": "fin_Latn",
    "fr": "fra_Latn",
    "ga": "gle_Latn",
    "gl": "glg_Latn",
    "gu": "guj_Gujr",
    "ha": "hau_Latn",
    "he": "heb_Hebr",
    "hi": "hin_Deva",
    "hr": "hrv_Latn",
    "hu": "hun_Latn",
    "hy": "hye_Armn",
    "id": "ind_Latn",
    "ig": "ibo_Latn",
    "is": "isl_Latn",
    "it": "ita_Latn",
    "ja": "jpn_Jpan",
    "jv": "jav_Latn",
    "ka": "kat_Geor",
    "kk": "kaz_Cyrl",
    "km": "khm_Khmr",
    "kn": "kan_Knda",
    "ko": "kor_Hang",
    "ky": "kir_Cyrl",
    "lo": "lao_Laoo",
    "lt": "lit_Latn",
    "lv": "lvs_Latn",
    "mk": "mkd_Cyrl",
    "ml": "mal_Mlym",
    "mn": "khk_Cyrl",
    "mr": "mar_Deva",
    "ms": "zsm_Latn",
    "my": "mya_Mymr",
    "ne": "npi_Deva",
    "nl": "nld_Latn",
    "no": "nob_Latn",
    "nb": "nob_Latn",
    "pa": "pan_Guru",
    "pl": "pol_Latn",
    "ps": "pbt_Arab",
    "pt": "por_Latn",
    "qu": "quy_Latn",
    "ro": "ron_Latn",
    "ru": "rus_Cyrl",
    "si": "sin_Sinh",
    "sk": "slk_Latn",
    "sl": "slv_Latn",
    "so": "som_Latn",
    "sq": "als_Latn",
    "sr": "srp_Cyrl",
    "sv": "swe_Latn",
    "sw": "swh_Latn",
    "ta": "tam_Taml",
    "te": "tel_Telu",
    "tg": "tgk_Cyrl",
    "th": "tha_Thai",
    "tl": "tgl_Latn",
    "tr": "tur_Latn",
    "uk": "ukr_Cyrl",
    "ur": "urd_Arab",
    "uz": "uzn_Latn",
    "vi": "vie_Latn",
    "wo": "wol_Latn",
    "xh": "xho_Latn",
    "yo": "yor_Latn",
    "zh": "zho_Hans",
    "zh-Hant": "zho_Hant",
    "zu": "zul_Latn",
}

# ISO 639-1 -> ISO 639-3, used by multilingual OPUS-MT target tokens (>>deu<<).
ISO3: dict[str, str] = {k: v.split("_")[0] for k, v in FLORES.items() if "-" not in k}
ISO3.update(
    {
        "ar": "ara",
        "fa": "fas",
        "zh": "zho",
        "ms": "msa",
        "mn": "mon",
        "lv": "lav",
        "sq": "sqi",
        "et": "est",
        "uz": "uzb",
        "sw": "swa",
        "ne": "nep",
        "ps": "pus",
        "az": "aze",
        "qu": "que",
    }
)

# Scripts written without spaces between words: rejoined sentences get no separator.
NO_SPACE_LANGS = frozenset({"zh", "zh-Hant", "ja", "th", "lo", "km", "my"})


def normalise(lang: str) -> str:
    """A user's language code in canonical form (``DE`` -> ``de``, ``zh-hant`` -> ``zh-Hant``).

    A FLORES-200 code (``deu_Latn``) is mapped back to its ISO code when known.
    """
    code = lang.strip()
    if "_" in code:
        for iso, flores in FLORES.items():
            if flores.lower() == code.lower():
                return iso
        return code
    if code.lower() == "zh-hant":
        return "zh-Hant"
    return code.lower()


def base_language(lang: str) -> str:
    """The two-letter code of a language code without its script or region (``zh-Hant`` -> ``zh``,
    ``hin_Deva`` -> ``hi``, ``rus`` -> ``ru``, ``pt-BR`` -> ``pt``); a code it does not know, lower-cased."""
    head = normalise(lang).split("-")[0].split("_")[0].lower()
    return next((two for two, three in ISO3.items() if three == head), head)


def flores_code(lang: str) -> str:
    """FLORES-200 code for NLLB; unknown ISO codes raise with the list of known ones."""
    if "_" in lang:
        return lang
    try:
        return FLORES[lang]
    except KeyError:
        raise UnknownNameError(
            f"no FLORES-200 code known for language '{lang}'",
            hint="pass the FLORES-200 code itself (e.g. 'deu_Latn')",
        ) from None


def joiner(lang: str) -> str:
    """What goes between rejoined sentences in ``lang``: a space, or nothing for unspaced scripts."""
    return "" if lang in NO_SPACE_LANGS else " "
