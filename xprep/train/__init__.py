"""Intermediate-task -> target-task fine-tuning and zero-shot evaluation (transformers + torch)."""
