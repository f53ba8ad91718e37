"""The fixture of the v1 fuzz modules (an emulator per module); it is defined in support.fuzz_v1."""

from support.fuzz_v1 import fuzz_target

__all__ = ["fuzz_target"]
