"""Ingest: resumable, encrypted uploads from camera cards (tus), verified end to end."""
