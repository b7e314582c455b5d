"""The HTTP API's resource routers (families, footage, administration)."""
