"""Helpers of the hostile suite (tests/hostile/): its corpus of bad files, its fixtures, bounded runs, raw xlsx."""
