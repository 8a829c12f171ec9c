"""Build-time checks: scores per record (checks) and an explicit decision step (filter)."""
