# MicroPython script (unix port): run the badge firmware from its ROMFS image, as the ESP32
# runs it from the ROMFS flash partition (host/tools/compile_firmware.py builds the image).
#
#   micropython -X heapsize=<100K + image> host/sim/romboot.py IMAGE badge.unix_main ARGS...
#   micropython -X heapsize=<100K + image> host/sim/romboot.py IMAGE path/to/script.py ARGS...
#
# The unix port has no flash: the image is read into one heap block first (it never moves
# or frees), and the caller adds exactly that block to the heap budget. Modules imported
# from /rom execute their bytecode in place, as from flash; what they allocate is what the
# badge's heap would hold.
import gc
import sys

import vfs

with open(sys.argv[1], "rb") as _f:
    _image = _f.read()
vfs.mount(vfs.VfsRom(_image), "/rom")
sys.path.insert(0, "/rom")
_target = sys.argv[2]
sys.argv[:] = sys.argv[2:]
gc.collect()
if _target.endswith(".py"):
    with open(_target) as _f:
        _code = _f.read()
    exec(_code, {"__name__": "__main__"})
else:
    __import__(_target)
    sys.modules[_target]._entry()
