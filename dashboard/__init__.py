"""The APT Work Plan Monitor dashboard (Dash)."""
