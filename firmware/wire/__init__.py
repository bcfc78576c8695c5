"""Protocol v1 (docs/protocol-v1.md): the 72-byte record and the signed batch layout."""
