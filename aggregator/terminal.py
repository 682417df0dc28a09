"""Text from the web, made safe to print on an operator's terminal (issue 11, finding 11).

A page title can carry escape sequences: ``\\x1b]0;...\\x07`` retitles the
window, ``\\x1b[2J`` clears the screen, OSC 8 hides a link behind other text,
OSC 52 writes the clipboard. Every line the CLI prints that holds stored or
fetched text goes through ``terminal_text``: escape sequences are removed
whole, other control characters (C0, DEL, C1) and the bidirectional overrides
that reorder what is shown are removed, and line breaks and tabs become
spaces (one record, one line), unless ``keep_newlines``.

    >>> terminal_text("Breaking\\x1b]0;pwned\\x07 news\\x1b[2J")
    'Breaking news'
    >>> terminal_text("two\\nlines\\tand a tab")
    'two lines and a tab'
"""

from __future__ import annotations

import re

# ECMA-48: CSI (ESC [ or 8-bit 0x9B) with parameters and a final byte; OSC, DCS, SOS,
# PM and APC strings up to BEL or ST (or the end of the text); any other escape (nF, Fp,
# Fe, Fs: ESC, intermediate bytes, a final byte).
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: object, keep_newlines: bool = False) -> str:
    """``text`` as a string with nothing a terminal would run; see the module docstring."""
    cleaned = _ESCAPE.sub("", str(text))
    if keep_newlines:
        cleaned = cleaned.replace("\r\n", "\n")
        cleaned = re.sub(r"[\r\t\v\f\x85\u2028\u2029]", " ", cleaned)
    else:
        cleaned = _LINE_BREAKS.sub(" ", cleaned)
    return _CONTROLS.sub("", cleaned)


__all__ = ["terminal_text"]
