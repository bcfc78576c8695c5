"""The badge's identity: its Ed25519 key from the key store under the filesystem root."""

KEY_FILE = "key.seed"


def load_key(fs_root):
    """(signing key, public key bytes, device_id bytes); the key is made on first use.

    Deriving the public key needs the most transient heap of anything the badge does:
    call this early, while the heap is still empty.
    """
    from sign.keystore import device_id, load_or_create

    key = load_or_create(fs_root + "/" + KEY_FILE)
    return key, key.public, device_id(key.public)
