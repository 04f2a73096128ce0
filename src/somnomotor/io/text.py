"""Text of scoring files as vendors write it: UTF-16 or UTF-8, with or without a BOM.

Noxturnal writes its CSV exports in UTF-16 (little endian, with a BOM); other
tools write UTF-8 with or without a BOM, or a Windows code page.  One function
decides, from the bytes, and every text reader of :mod:`somnomotor.io` uses it.
"""

from __future__ import annotations

import codecs
import os
import re
import xml.etree.ElementTree as ET

from ..errors import AnnotationError


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of a file's bytes.

    A BOM decides (UTF-8, UTF-16 LE/BE); without one, NUL bytes in every other
    position mean UTF-16 (LE when they are the odd bytes); then UTF-8; then
    Windows-1252 (Latin-1 for the bytes it leaves undefined).

    >>> decode_bytes("Éveil".encode("utf-16"))
    ('Éveil', 'utf-16')
    >>> decode_bytes("Éveil".encode("latin-1"))
    ('Éveil', 'cp1252')
    """
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    sample = raw[:4096]
    if len(sample) >= 4:
        odd, even = sample[1::2], sample[0::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
            return raw.decode("utf-16-le", errors="replace"), "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
            return raw.decode("utf-16-be", errors="replace"), "utf-16-be"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a scoring file, whatever its encoding (see :func:`decode_bytes`)."""
    try:
        with open(path, "rb") as fh:  # read-only
            raw = fh.read()
    except FileNotFoundError:
        raise AnnotationError("file not found", path) from None
    except IsADirectoryError:
        raise AnnotationError("is a folder, not a scoring file", path) from None
    except OSError as exc:
        raise AnnotationError(f"cannot read the file ({exc.strerror})", path) from None
    return decode_bytes(raw)[0]


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_xml(path: str | os.PathLike[str]) -> ET.Element:
    """The root of an XML scoring file in UTF-8 or UTF-16, with or without a BOM, even when
    its declaration names another encoding than the one the file was saved in."""
    try:
        with open(path, "rb") as fh:  # read-only
            data = fh.read()
    except OSError as exc:
        raise AnnotationError(f"cannot read the file ({exc.strerror})", path) from None
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        pass
    text = _XML_DECLARATION.sub("", decode_bytes(data)[0].lstrip("\ufeff"), count=1)
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise AnnotationError(f"not valid XML ({exc}); is the file cut short?", path) from None
