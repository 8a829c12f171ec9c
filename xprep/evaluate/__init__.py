"""Evaluation: metrics (and, later, XTREME evaluation and perturbations)."""
