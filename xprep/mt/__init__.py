"""Machine translation: families and language codes, conversion, segmentation, cache, engine."""
