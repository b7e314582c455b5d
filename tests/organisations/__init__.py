"""The administrator's area: organisations, accounts, supervision links and grants."""
