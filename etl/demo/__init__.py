"""Demonstration data: synthetic returns and an example schedule, loaded for real and labelled as such."""
