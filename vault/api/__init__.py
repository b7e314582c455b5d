"""The HTTP API's routers not yet in a domain package (consents, administration); families live in
vault/families/, recordings and clips in vault/recordings/."""
