"""Helpers the tests share: builders of return and schedule files, signing in, Dash requests, the served app."""
