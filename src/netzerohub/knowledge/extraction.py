"""Plain text from uploaded documents, parsed in a child process with hard limits.

Contract: ``extract_text(path, kind)`` returns the document's text (UTF-8-safe, no NUL or other
control characters except newlines, runs of blanks collapsed, one paragraph per line, at most
``max_chars`` characters) or raises ``ExtractionError`` whose ``str()`` is a plain-English reason
fit to show to the person who uploaded the file. ``kind`` is what
``netzerohub.core.uploads.sniff_kind`` detected; images ("png", "jpeg") have no text and give "".

Why a child process: documents come from the public, and a crafted PDF or zip can make a parser
loop for ever or allocate without bound. The parsing runs in ``python -m
netzerohub.knowledge.extraction`` under a wall-clock timeout (enforced by the parent) and
RLIMIT_AS / RLIMIT_CPU (set by the child on itself once its parser libraries are loaded and
before it opens the document), so the worst a document can do is get its own process killed.
Zip-based formats are further guarded against zip bombs (declared and actual uncompressed sizes
are capped, suspicious ratios rejected) and their XML is parsed with defusedxml (no DTDs, no
entity expansion, no external references).

This module must stay importable without Django: the child imports it with only the standard
library; pypdf and defusedxml are imported lazily inside the child's functions.
"""

from __future__ import annotations

import logging
import math
import os
import re
import signal
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)

EXTRACTABLE_KINDS = frozenset({"pdf", "docx", "xlsx", "pptx", "odt"})
TEXTLESS_KINDS = frozenset({"png", "jpeg"})

# Zip-bomb guards for the child. Real office documents are a few MB of XML uncompressed; 100 MB
# leaves room for huge spreadsheets while keeping the parse well inside the memory limit.
MAX_UNCOMPRESSED_TOTAL = 100 * 1024 * 1024
MAX_MEMBERS = 10_000
# Office XML compresses 5-50x; a large member compressing more than this is padding, not content.
MAX_RATIO = 200
RATIO_CHECK_FROM = 5 * 1024 * 1024

# Child exit codes (anything else, or death by a signal, is reported as a crash).
_EXIT_UNREADABLE = 2
_EXIT_NO_MEMORY = 3

_MODULE = "netzerohub.knowledge.extraction"  # not __name__: that is "__main__" in the child
_SRC_DIR = Path(__file__).resolve().parents[2]  # .../src, the directory holding netzerohub/


class ExtractionError(Exception):
    """Readable reason (str(e)) why text could not be extracted."""


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------


def extract_text(
    path: str | os.PathLike[str],
    kind: str,
    *,
    timeout: float = 30.0,
    max_chars: int = 1_000_000,
    memory_bytes: int = 512 * 1024 * 1024,
) -> str:
    """Return the text of the document at ``path`` of the sniffed ``kind``.

    The parsing runs in a child process limited to ``timeout`` seconds of wall-clock time,
    ``ceil(timeout)`` seconds of CPU time and ``memory_bytes`` of address space. The result is
    normalised (see ``normalise``) and cut to at most ``max_chars`` characters; a long document
    is truncated, not refused. "png" and "jpeg" return "" without starting a process.

    Raises ExtractionError (with a plain-English message) when the kind has no extractor, the
    file is damaged, encrypted with a password, a zip bomb or hostile XML, or when the child
    runs out of time or memory or dies.
    """
    if kind in TEXTLESS_KINDS:
        return ""
    if kind not in EXTRACTABLE_KINDS:
        raise ExtractionError(f"Text cannot be extracted from files of type “{kind}”.")
    if max_chars <= 0:
        return ""
    cpu_seconds = max(1, math.ceil(timeout))
    command = [
        sys.executable,
        "-m",
        _MODULE,
        kind,
        os.fspath(path),
        str(max_chars),
        str(memory_bytes),
        str(cpu_seconds),
    ]
    try:
        # The command is this interpreter running this module with our own arguments (no shell);
        # the path is a single argv element, so a file name cannot inject anything.
        completed = subprocess.run(  # noqa: S603  (fixed argv, no shell, trusted executable)
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has already killed and reaped the child
        raise ExtractionError(
            f"Reading the file took longer than {timeout:g} seconds, so its text was not extracted."
        ) from exc
    except OSError as exc:
        logger.exception("could not start the text extractor")
        raise ExtractionError("The text extractor could not be started.") from exc

    if completed.returncode == 0:
        text = completed.stdout.decode("utf-8", errors="replace")
        # The child already normalises and truncates; doing it again here is cheap and keeps the
        # contract (no NUL, at most max_chars) even if the child misbehaves.
        return normalise(text[: max_chars * 2])[:max_chars]
    raise ExtractionError(_failure_message(completed, memory_bytes, cpu_seconds))


def _child_env() -> dict[str, str]:
    """The parent's environment, plus what the child needs to import this module quietly."""
    env = dict(os.environ)
    # The package is installed editable, but a checkout run with pytest's `pythonpath = src`
    # (or a different working directory) must import the same code, so put src/ first.
    paths = [str(_SRC_DIR), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONIOENCODING"] = "utf-8"
    # A "warnings are errors" setting (as in the test suite) must not turn pypdf's chatter about
    # slightly malformed files into failures; the child reports real failures itself.
    env["PYTHONWARNINGS"] = "ignore"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _failure_message(
    completed: subprocess.CompletedProcess[bytes], memory_bytes: int, cpu_seconds: int
) -> str:
    code = completed.returncode
    stderr = completed.stderr.decode("utf-8", errors="replace").strip()
    reason = stderr.splitlines()[-1].strip() if stderr else ""
    if code == _EXIT_UNREADABLE and reason:
        return f"The file could not be read: {reason[:300]}"
    megabytes = memory_bytes // (1024 * 1024)
    if code == _EXIT_NO_MEMORY:
        return f"Reading the file needed more than the {megabytes} MB of memory allowed."
    if code == -signal.SIGXCPU:  # the soft RLIMIT_CPU; Python does not catch it
        return f"Reading the file used more than {cpu_seconds} seconds of processor time."
    logger.warning("text extractor exited with %s: %s", code, stderr[-2000:])
    if code < 0:
        # Allocation failures inside C code (RLIMIT_AS) usually end in SIGABRT or SIGSEGV.
        return (
            "The text extractor stopped unexpectedly while reading the file (it may have needed "
            f"more than the {megabytes} MB of memory allowed)."
        )
    return "The text extractor failed while reading the file."


# --------------------------------------------------------------------------------------------
# Text normalisation (used by both sides)
# --------------------------------------------------------------------------------------------

_BLANKS = re.compile(r"[^\S\n]+")  # any whitespace except newline
_MANY_NEWLINES = re.compile(r"\n{3,}")


# Unicode category Cc except tab and newline (NUL included: PostgreSQL text cannot hold it), and
# lone surrogates (pypdf can produce them; they cannot be encoded as UTF-8).
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def normalise(text: str) -> str:
    """Strip control characters, collapse blanks, trim lines, keep at most one empty line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _DROPPED.sub("", text)
    lines = (_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """Raised in the child with a plain-English reason the file cannot be read."""


def _apply_limits(memory_bytes: int, cpu_seconds: int) -> None:
    """Limit this process's address space and CPU time (the hard CPU limit kills)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The parent's wall-clock timeout normally fires first; the CPU limit still holds if the
    # parent itself dies and leaves this process orphaned. Soft limit sends SIGXCPU, hard kills.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))


def _collect(blocks: Iterable[str], max_chars: int) -> str:
    """Join normalised, non-empty blocks with newlines, stopping once max_chars are collected."""
    parts: list[str] = []
    total = 0
    for block in blocks:
        block = normalise(block)
        if not block:
            continue
        parts.append(block)
        total += len(block) + 1
        if total >= max_chars:
            break
    return "\n".join(parts)[:max_chars]


def _extract(kind: str, path: str, max_chars: int) -> str:
    extractors: dict[str, Callable[[str], Iterator[str]]] = {
        "pdf": _pdf_blocks,
        "docx": _docx_blocks,
        "pptx": _pptx_blocks,
        "xlsx": _xlsx_blocks,
        "odt": _odt_blocks,
    }
    if kind not in extractors:
        raise _Unreadable(f"text cannot be extracted from files of type “{kind}”.")
    return _collect(extractors[kind](path), max_chars)


# ---- PDF ------------------------------------------------------------------------------------


def _pdf_blocks(path: str) -> Iterator[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            # Many PDFs are "encrypted" only to set permissions, with an empty user password.
            try:
                decrypted = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise _Unreadable("the PDF is encrypted in a way that cannot be opened.") from exc
            if not decrypted:
                raise _Unreadable("the PDF is protected by a password.")
        pages = reader.pages
        for index in range(len(pages)):
            yield pages[index].extract_text() or ""
    except FileNotDecryptedError as exc:
        raise _Unreadable("the PDF is protected by a password.") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise _Unreadable("the PDF is damaged or is not a valid PDF file.") from exc


# ---- Zip containers ---------------------------------------------------------------------------


class _Budget:
    """Uncompressed bytes still allowed to be read from one archive."""

    def __init__(self, total: int) -> None:
        self.left = total

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise _Unreadable(
                "the document unpacks to more than "
                f"{MAX_UNCOMPRESSED_TOTAL // (1024 * 1024)} MB (a possible zip bomb)."
            )


class _BoundedReader:
    """File-like wrapper that charges every byte read to a budget (never trusts headers)."""

    def __init__(self, stream: IO[bytes], budget: _Budget) -> None:
        self._stream = stream
        self._budget = budget

    def read(self, size: int = -1) -> bytes:
        # Never ask for more than one byte past the budget, so an over-long member is caught
        # without inflating it.
        limit = self._budget.left + 1
        data = self._stream.read(limit if size is None or size < 0 else min(size, limit))
        self._budget.take(len(data))
        return data

    def close(self) -> None:
        self._stream.close()


class _Archive:
    """A document zip opened with size, count and ratio checks on every member read."""

    def __init__(self, path: str) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise _Unreadable("the document is damaged (it is not a valid zip package).") from exc
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            self._zip.close()
            raise _Unreadable("the document contains too many parts.")
        self._infos = {info.filename: info for info in infos}
        self._budget = _Budget(MAX_UNCOMPRESSED_TOTAL)

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def open(self, name: str) -> _BoundedReader:
        """Open a member for bounded reading; refuse it on its declared size alone if needed."""
        info = self._infos.get(name)
        if info is None:
            raise _Unreadable(f"the document is incomplete (it has no “{name}”).")
        # Checked from the central directory before any byte is inflated. The declared size
        # can lie, which is why the reader also counts what it actually gets.
        if info.file_size > self._budget.left:
            raise _Unreadable(
                "the document unpacks to more than "
                f"{MAX_UNCOMPRESSED_TOTAL // (1024 * 1024)} MB (a possible zip bomb)."
            )
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _Unreadable("the document is compressed suspiciously well (a possible zip bomb).")
        try:
            stream = self._zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise _Unreadable("the document is damaged or encrypted.") from exc
        return _BoundedReader(stream, self._budget)


def _qualified(namespace: str, *names: str) -> frozenset[str]:
    return frozenset(f"{{{namespace}}}{name}" for name in names)


_SKIP = object()  # a rule's answer meaning "ignore this element and everything inside it"
Rule = Callable[[Any], "str | object | None"]


def _render(root: Any, rule: Rule, *, mixed: bool) -> str:
    """The text of an element tree, walked iteratively (deep nesting must not recurse).

    ``rule(element)`` returns a string to emit instead of the element's content, _SKIP to drop
    the element, or None to descend into it. With ``mixed`` the elements' own text and tails
    count (ODF); without it only what the rule returns does (OOXML keeps text in w:t / a:t / t).
    """
    parts: list[str] = []
    if mixed and root.text:
        parts.append(root.text)
    stack: list[tuple[Any, Iterator[Any]]] = [(root, iter(root))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if mixed and stack and element.tail:
                parts.append(element.tail)
            continue
        action = rule(child)
        if action is None:
            if mixed and child.text:
                parts.append(child.text)
            stack.append((child, iter(child)))
            continue
        if isinstance(action, str):
            parts.append(action)
        if mixed and child.tail:
            parts.append(child.tail)
    return "".join(parts)


def _paragraphs(
    stream: _BoundedReader,
    para_tags: frozenset[str],
    rule: Rule,
    *,
    mixed: bool,
    skip_tags: frozenset[str] = frozenset(),
) -> Iterator[str]:
    """Yield the rendered text of each paragraph element of an XML stream, in document order.

    Paragraphs inside a ``skip_tags`` element are not yielded. Memory stays bounded: every
    finished element outside a paragraph, and every paragraph once rendered, is detached from
    its parent (so a nested paragraph is not rendered twice either).
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    open_elements: list[Any] = []
    depth = 0  # how many paragraph elements are open
    skipping = 0  # how many skip_tags elements are open
    try:
        # forbid_dtd: office XML never has a DTD; entities and external references are
        # forbidden by defusedxml's defaults (billion laughs, XXE).
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                open_elements.append(element)
                depth += element.tag in para_tags
                skipping += element.tag in skip_tags
                continue
            open_elements.pop()
            skipping -= element.tag in skip_tags
            is_paragraph = element.tag in para_tags
            if is_paragraph:
                depth -= 1
                if not skipping:
                    yield _render(element, rule, mixed=mixed)
            if (is_paragraph or depth == 0) and open_elements:
                open_elements[-1].remove(element)
    except DefusedXmlException as exc:
        raise _Unreadable(
            "the document contains XML features that are not allowed (DTDs or entities)."
        ) from exc
    except ParseError as exc:
        raise _Unreadable("the document is damaged (its XML is not well-formed).") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # bad CRC or deflate data
        raise _Unreadable("the document is damaged (a part cannot be unpacked).") from exc
    finally:
        stream.close()


def _numbered(names: Iterable[str], prefix: str) -> list[str]:
    """Members named prefix + N + ".xml", in numeric order (slide2 before slide10)."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.xml")
    found = [(int(m.group(1)), name) for name in names if (m := pattern.fullmatch(name))]
    return [name for _, name in sorted(found)]


# ---- DOCX ------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_P = _qualified(_W, "p")
_W_T = _qualified(_W, "t")
_W_TAB = _qualified(_W, "tab")
_W_BREAK = _qualified(_W, "br", "cr")
# Paragraph/run properties hold tab-stop definitions (w:tab) that are not text.
_W_SKIP = _qualified(_W, "pPr", "rPr", "instrText", "delText")
# Text boxes and shapes are stored twice: a modern mc:Choice and a legacy mc:Fallback copy.
_MC_FALLBACK = _qualified("http://schemas.openxmlformats.org/markup-compatibility/2006", "Fallback")


def _docx_rule(element: Any) -> str | object | None:
    tag = element.tag
    if tag in _W_T:
        return element.text or ""
    if tag in _W_TAB:
        return "\t"
    if tag in _W_BREAK:
        return "\n"
    if tag in _W_SKIP or tag in _MC_FALLBACK:
        return _SKIP
    return None


def _docx_blocks(path: str) -> Iterator[str]:
    with _Archive(path) as archive:
        parts = ["word/document.xml"]
        parts += _numbered(archive.names(), "word/header")
        parts += _numbered(archive.names(), "word/footer")
        parts += [n for n in ("word/footnotes.xml", "word/endnotes.xml") if archive.has(n)]
        for part in parts:
            yield from _paragraphs(
                archive.open(part), _W_P, _docx_rule, mixed=False, skip_tags=_MC_FALLBACK
            )


# ---- PPTX ------------------------------------------------------------------------------------

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_A_P = _qualified(_A, "p")
_A_T = _qualified(_A, "t")
_A_BREAK = _qualified(_A, "br")
_A_SKIP = _qualified(_A, "pPr", "rPr", "endParaRPr")


def _pptx_rule(element: Any) -> str | object | None:
    tag = element.tag
    if tag in _A_T:
        return element.text or ""
    if tag in _A_BREAK:
        return "\n"
    if tag in _A_SKIP or tag in _MC_FALLBACK:
        return _SKIP
    return None


def _pptx_blocks(path: str) -> Iterator[str]:
    with _Archive(path) as archive:
        slides = _numbered(archive.names(), "ppt/slides/slide")
        if not slides:
            raise _Unreadable("the presentation has no slides.")
        for slide in slides:
            yield from _paragraphs(
                archive.open(slide), _A_P, _pptx_rule, mixed=False, skip_tags=_MC_FALLBACK
            )


# ---- XLSX ------------------------------------------------------------------------------------

_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_S_STRING = _qualified(_S, "si", "is")  # shared string item; inline string of a cell
_S_T = _qualified(_S, "t")
_S_SKIP = _qualified(_S, "rPh", "phoneticPr", "rPr")  # phonetic guides repeat the text


def _xlsx_rule(element: Any) -> str | object | None:
    tag = element.tag
    if tag in _S_T:
        return element.text or ""
    if tag in _S_SKIP:
        return _SKIP
    return None


def _xlsx_blocks(path: str) -> Iterator[str]:
    with _Archive(path) as archive:
        parts = [n for n in ("xl/sharedStrings.xml",) if archive.has(n)]
        parts += _numbered(archive.names(), "xl/worksheets/sheet")
        if not parts:
            raise _Unreadable("the workbook has no sheets.")
        for part in parts:
            # Numbers and formulas are skipped: only strings carry searchable words.
            yield from _paragraphs(archive.open(part), _S_STRING, _xlsx_rule, mixed=False)


# ---- ODT -------------------------------------------------------------------------------------

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODT_P = _qualified(_TEXT, "p", "h")
_ODT_SPACE = f"{{{_TEXT}}}s"
_ODT_SPACE_COUNT = f"{{{_TEXT}}}c"
_ODT_TAB = f"{{{_TEXT}}}tab"
_ODT_BREAK = f"{{{_TEXT}}}line-break"
# Comments and tracked deletions (whose paragraphs live in text:tracked-changes) are not the
# document's text.
_ODT_SKIP = _qualified(_OFFICE, "annotation") | _qualified(_TEXT, "tracked-changes")


def _odt_rule(element: Any) -> str | object | None:
    tag = element.tag
    if tag == _ODT_SPACE:
        count = element.get(_ODT_SPACE_COUNT, "1")
        # Blanks are collapsed later anyway; never let text:c="999999999" allocate.
        return " " * (min(int(count), 8) if count.isdigit() else 1)
    if tag == _ODT_TAB:
        return "\t"
    if tag == _ODT_BREAK:
        return "\n"
    if tag in _ODT_SKIP:
        return _SKIP
    return None


def _odt_blocks(path: str) -> Iterator[str]:
    with _Archive(path) as archive:
        yield from _paragraphs(
            archive.open("content.xml"), _ODT_P, _odt_rule, mixed=True, skip_tags=_ODT_SKIP
        )


# ---- Entry point ------------------------------------------------------------------------------

_XML_MODULES = ("pyexpat", "xml.etree.ElementTree", "defusedxml.ElementTree")
_PARSER_MODULES: dict[str, tuple[str, ...]] = {
    "pdf": ("pypdf", "pypdf.errors", "pypdf.filters"),
    "docx": _XML_MODULES,
    "pptx": _XML_MODULES,
    "xlsx": _XML_MODULES,
    "odt": _XML_MODULES,
}


def _main(argv: list[str]) -> int:
    """Child entry: ``kind path max_chars memory_bytes cpu_seconds``; text to stdout.

    Exit 0 with the text, 2 with a plain-English reason as the last stderr line, 3 when memory
    ran out. The parser libraries are imported first, so that loading their shared objects is
    not mistaken for the document's memory use; the limits then apply to the parsing alone.
    """
    if len(argv) != 5:
        sys.stderr.write("usage: extraction KIND PATH MAX_CHARS MEMORY_BYTES CPU_SECONDS\n")
        return 64
    kind, path, max_chars, memory_bytes, cpu_seconds = argv
    # pypdf logs and warns about every small defect it repairs; only our final reason matters.
    logging.disable(logging.CRITICAL)
    import importlib
    import warnings

    warnings.simplefilter("ignore")
    for module in _PARSER_MODULES.get(kind, ()):
        importlib.import_module(module)
    _apply_limits(int(memory_bytes), int(cpu_seconds))
    try:
        text = _extract(kind, path, int(max_chars))
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    except _Unreadable as exc:
        sys.stderr.write(f"\n{exc}\n")
        return _EXIT_UNREADABLE
    except MemoryError:
        return _EXIT_NO_MEMORY
    except FileNotFoundError:
        sys.stderr.write("\nthe file does not exist.\n")
        return _EXIT_UNREADABLE
    except ImportError:
        # A lazily imported module failing to load under RLIMIT_AS is a limit, not bad input.
        return _EXIT_NO_MEMORY
    except RecursionError:
        sys.stderr.write("\nthe document is nested too deeply.\n")
        return _EXIT_UNREADABLE
    except Exception as exc:  # a parser's bug on hostile input still means "cannot be read"
        sys.stderr.write(f"\n{type(exc).__name__}: {exc}"[:2000])
        sys.stderr.write(f"\nthe file is damaged or is not a valid {kind.upper()} file.\n")
        return _EXIT_UNREADABLE
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
