"""The badge's identity: its Ed25519 key from the key store under the filesystem root."""

from badge import unload

KEY_FILE = "key.seed"


def load_key(fs_root):
    """(signing key, public key bytes, device_id bytes); the key is made on first use.

    Deriving the public key needs the most transient heap of anything the badge does:
    call this early, while the heap is still empty. The key store's code is needed only
    here: it is unloaded afterwards (the caller may unload badge.identity too).
    """
    from sign.keystore import device_id, load_or_create

    key = load_or_create(fs_root + "/" + KEY_FILE)
    identity = (key, key.public, device_id(key.public))
    unload("sign.keystore")
    return identity
