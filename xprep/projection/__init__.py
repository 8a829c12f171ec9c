"""Label projection: carry span and tag labels from a source record into its translation."""
