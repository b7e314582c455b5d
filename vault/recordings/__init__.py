"""Recordings and the clips cut from them."""
