"""stdata: build, validate, translate and balance Statement-Tuning corpora."""

import logging as _logging

__version__ = "0.1.0"

# bitsandbytes warns on import that an optional CPU kernel (for the AVX512-BF16 packed layout, which
# stdata turns off: `model.disable_bnb_cpu_packing`) cannot be fetched from the hub; users read it as
# a failure, and on stderr it breaks the one-line error contract. Set here, before any stdata module
# can import bitsandbytes (peft and transformers import it too).
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)
