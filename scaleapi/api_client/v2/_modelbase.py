"""What v2 object models and oneOf wrappers share: parsers compiled once, and the JSON text forms."""
# The class-level tables (_fields_, _cells_, ...) belong to these modules, which read them across classes.
# pylint: disable=protected-access
import json
import threading
from typing import Any, Callable, ClassVar, List, Optional, Set, Tuple

Converter = Callable[[Any], Any]

#: The parser modes, each with parsers of its own. READ reads a server's answer (tolerant, through a
#: compiled fast path); STRICT checks what code builds; EXACT reads as tolerantly as READ, with no
#: fast path, and is run only when READ refuses a value, so the error names the first bad key the
#: way the plain reading finds it. A bool passed as a mode means STRICT (True) or READ (False).
READ, STRICT, EXACT = 0, 1, 2

# Parsers are compiled once per class and mode, under one lock; _COMPILING holds those being built,
# so that a reference back to one of them (a cycle) is resolved when first called instead.
_COMPILE_LOCK = threading.RLock()
_COMPILING: Set[Tuple[type, int]] = set()


def _compile_once(cls: Any, mode: int) -> Converter:
    """Build the parser of a model class for one mode, unless another thread just did."""
    with _COMPILE_LOCK:
        done: Optional[Converter] = cls._cells_[mode][0]
        if done is not None:
            return done
        _COMPILING.add((cls, mode))
        try:
            parse: Converter = cls._build_parser(mode)
        finally:
            _COMPILING.discard((cls, mode))
        cls._cells_[mode][0] = parse
        return parse



def _pformat(value: Any) -> str:
    import pprint  # pylint: disable=import-outside-toplevel  # only to_str needs it

    return pprint.pformat(value)



class _ModelBase:
    """What object models and wrappers share: the compiled parsers and the JSON text forms."""

    _cells_: ClassVar[Tuple[List[Optional[Converter]], ...]] = ([None], [None], [None])

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._cells_ = ([None], [None], [None])  # the parser of each mode, built on first use

    @classmethod
    def _compile(cls, mode: int) -> Converter:
        """Build (once) and return the parser of this class for one mode."""
        return _compile_once(cls, mode)

    @classmethod
    def _parser(cls, mode: int) -> Converter:
        return cls._cells_[mode][0] or cls._compile(mode)

    @classmethod
    def _build_parser(cls, mode: int) -> Converter:
        raise NotImplementedError

    def to_dict(self) -> Any:
        """The JSON-ready form of this value."""
        raise NotImplementedError

    def to_json(self) -> str:
        """The wire JSON: ``json.dumps(self.to_dict())``."""
        return json.dumps(self.to_dict())

    def to_str(self) -> str:
        """A readable, indented rendering of ``to_dict()``."""
        return _pformat(self.to_dict())

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dict
