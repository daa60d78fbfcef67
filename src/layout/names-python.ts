/**
 * The names Python code emitted by `toCtypes` cannot use as they are. Classes (and the root's
 * alias) are module globals: not a keyword, not `ctypes`, not a builtin (the emitted checks call
 * some, and shadowing the others would surprise an importer), not the emitted helper. Fields are
 * strings in `_fields_`, so keywords are fine there; but ctypes reads some class attributes
 * (`_fields_`, `_pack_`, `_align_`, `_anonymous_`, `_layout_`, …) and a field of that name breaks
 * the class or hides the attribute, as it would hide `from_buffer` and the other class methods.
 *
 * @module
 */
import type { NameRules } from './emitted-names.js';

/** The hard keywords of Python 3 (soft ones such as `match` and `type` are valid class names). */
const KEYWORDS =
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield';

/** `dir(builtins)` of Python 3.11 … 3.13 without dunder names (a test compares with each interpreter found). */
const BUILTINS = [
  'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError BufferError',
  'BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError',
  'DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup FileExistsError',
  'FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError',
  'IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError',
  'NameError NotADirectoryError NotImplemented NotImplementedError OSError OverflowError PendingDeprecationWarning',
  'PermissionError ProcessLookupError PythonFinalizationError RecursionError ReferenceError ResourceWarning RuntimeError',
  'RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError',
  'TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning',
  'UserWarning ValueError Warning ZeroDivisionError _IncompleteInputError',
  'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright',
  'credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash',
  'help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct open',
  'ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple type',
  'vars zip',
];

/** The helper the emitted code defines to check bitfield positions. */
export const CHECK_BITS_HELPER = 'check_bits';

/**
 * Attributes of ctypes' `Structure`/`Union` classes (their own and their metaclass's, Python
 * 3.11 … 3.14) and the class attributes ctypes reads from a subclass or an array or function type.
 */
const CTYPES_ATTRIBUTES =
  '_fields_ _pack_ _align_ _anonymous_ _layout_ _swappedbytes_ _b_base_ _b_needsfree_ _objects _type_ _length_ _as_parameter_ _check_retval_ _argtypes_ _restype_ _flags_ from_address from_buffer from_buffer_copy from_param in_dll mro';

const GLOBALS: ReadonlySet<string> = new Set([KEYWORDS, ...BUILTINS, 'ctypes', CHECK_BITS_HELPER].join(' ').split(' '));
const FIELDS: ReadonlySet<string> = new Set(CTYPES_ATTRIBUTES.split(' '));

/** Python's naming rules for `toCtypes`. */
export const PYTHON_NAMES: NameRules = {
  language: 'Python',
  fieldLanguage: 'ctypes',
  reservedType: (name) => GLOBALS.has(name),
  reservedField: (name) => FIELDS.has(name),
  respell: (name) => `${name}_`,
};
