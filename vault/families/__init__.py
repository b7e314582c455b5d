"""Families, their people, gezag and trajectories."""
