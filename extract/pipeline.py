"""The extraction pipeline: report file (or upload) in, :class:`~extract.model.Extraction` out.

load → report metadata → engine (entities and relations) → Extraction with a
``doc`` header.  ``doc.id`` is the file stem, which is how the scorer and the
stores pair a document with its gold file or its earlier version; ``sha256``
is over the decoded text (:func:`text_digest`), so the same report saved as
GB18030, UTF-16 or UTF-8 is one stored document and an edited one is another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import LoadError
from .learned import Model
from .load import check_supported, load_bytes, load_text, read_bytes
from .meta import read_meta
from .model import DocInfo, Extraction, LoadedText
from .walk import iter_inputs


def text_digest(text: str) -> str:
    """SHA-256 of the text as read: byte-order mark dropped, line ends as ``\\n``, UTF-8.

    Identity by text, not bytes: the encoding a copy was saved in does not make it another report.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def extract_loaded(
    loaded: LoadedText,
    doc_id: str,
    path: str,
    sha256: str | None,
    *,
    model: Model | None = None,
    known: dict[str, str] | None = None,
) -> Extraction:
    """Run metadata and the engine over text that is already loaded.

    ``model`` defaults to the shipped one; ``known`` holds names the batch found elsewhere.
    """
    # Imported here, not at module import: the engine builds a jieba tokenizer on first use and
    # the CLI's --help or an API start-up must not pay for it.
    from .engine import extract_entities_relations

    meta = read_meta(loaded)
    entities, relations = extract_entities_relations(loaded, meta, model=model, known=known)
    doc = DocInfo(
        id=doc_id,
        path=path,
        title=meta.title,
        date=meta.date,
        issuer=meta.issuer,
        period=meta.period,
        sha256=sha256,
    )
    return Extraction(doc=doc, entities=entities, relations=relations)


def extract_bytes(data: bytes, name: str) -> Extraction:
    """Extract an upload: ``name`` (a file name) gives the id (its stem) and the type (its suffix)."""
    loaded = load_bytes(data, name)
    return extract_loaded(loaded, Path(name).stem, name, text_digest(loaded.text))


def extract_text(text: str, path_name: str) -> Extraction:
    """Extract text that is already decoded; ``path_name`` names it (its stem is the id).

    The hash is over the text (:func:`text_digest`), as for a file holding it.
    """
    loaded = load_text(text, path_name)
    return extract_loaded(loaded, Path(path_name).stem, path_name, text_digest(loaded.text))


def extract_file(
    path: str | Path, max_bytes: int | None = None, known: dict[str, str] | None = None
) -> Extraction:
    """Extract one report file; raises :class:`LoadError` when it cannot be read as a report.

    ``known``: names the batch is sure of (:func:`extract.corpus.batch_known_names`).
    """
    check_supported(path)
    data = read_bytes(path, max_bytes)
    loaded = load_bytes(data, str(path))
    resolved = str(Path(path).resolve())
    return extract_loaded(loaded, Path(path).stem, resolved, text_digest(loaded.text), known=known)


def extract_paths(
    paths: Iterable[str | Path], max_bytes: int | None = None
) -> Iterator[Extraction | LoadError]:
    """Extract every report under ``paths`` in order; unreadable inputs come out as LoadError items."""
    for item in iter_inputs(paths):
        if isinstance(item, LoadError):
            yield item
            continue
        try:
            yield extract_file(item, max_bytes)
        except LoadError as exc:
            yield exc
