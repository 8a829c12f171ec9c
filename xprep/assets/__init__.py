"""Real pretrained assets that install from package registries (no model hub needed)."""
