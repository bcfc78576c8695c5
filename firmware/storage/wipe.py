"""Wipe on command (device revoked): the badge's keys and its record log, so that nothing
is recoverable through the filesystem; then the free space is rewritten so that the old
blocks are gone from the flash chip too.

    from storage.wipe import wipe_badge
    wipe_badge(fs_root, log)      # key.seed and the log's key, segments and state

Every file is overwritten with zeros and removed. On littlefs an overwrite is
copy-on-write: the old blocks keep their bytes until reused, so scrub_free_space() fills
the free space with a zero file (each free block erased and programmed) and removes it.
Small files (the keys, state, a segment's first frames) live inline in their directory's
metadata pair, which only an erase at compaction clears: scrub_metadata() commits to each
directory until both blocks of its pair have been compacted.
The log keeps a fresh state with wiped=1, reported in the next kind-5 status record.
"""

import os

from storage.recordlog import durable, write_atomic

_CHUNK = 512


def wipe_log(log):
    """Erase the log's key, segments and state; leave a fresh state with wiped=1."""
    from sign.keystore import wipe as zero_and_remove

    log.close()
    for name in os.listdir(log.dir):
        zero_and_remove(log.dir + "/" + name)
    log.reset_after_wipe()


def scrub_free_space(root, limit_bytes=None):
    """Write zeros over the free blocks of the filesystem at root, then free them again.

    limit_bytes: at most this much (a directory on a big disk, for tests); else the free
    space statvfs reports. Returns the bytes written."""
    if limit_bytes is None:
        st = os.statvfs(root)
        limit_bytes = st[0] * st[4]
    path = root + "/scrub.tmp"
    zeros = bytes(_CHUNK * 8)
    written = 0
    try:
        with open(path, "wb") as f:
            while written < limit_bytes:
                f.write(zeros)
                written += len(zeros)
            durable(f)
    except OSError:  # ENOSPC: every free block holds zeros now
        pass
    try:
        os.remove(path)
    except OSError:
        pass
    return written


def scrub_metadata(dirpath, commits=400):
    """Small commits to a directory until its metadata pair has been compacted (a 4 KB
    metadata block holds about 100 such commits; 400 compact each block of the pair)."""
    pad = bytes(48)
    path = dirpath + "/scrub.pad"
    for _ in range(commits):
        write_atomic(path, pad)
    os.remove(path)


def wipe_badge(fs_root, log, key_file="key.seed", scrub=True):
    """The badge's signing key, then the log; scrubs the free space (scrub=False: tests on
    a big disk)."""
    from sign.keystore import wipe as zero_and_remove

    zero_and_remove(fs_root + "/" + key_file)
    wipe_log(log)
    if scrub:
        scrub_metadata(log.dir)
        scrub_metadata(fs_root)
        scrub_free_space(fs_root)
