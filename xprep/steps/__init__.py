"""The typed steps of a recipe's plan: one dataclass per kind, each with its inputs, its hashed config and run(ctx)."""
