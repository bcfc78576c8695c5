"""Ed25519 signing for the badge: sha512, ed25519 (RFC 8032), keystore (the key on flash)."""
