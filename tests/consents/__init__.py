"""The consent domain: records, signatures, events, evidence, grants and WOK sessions."""
