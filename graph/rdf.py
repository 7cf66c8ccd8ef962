"""The stored graph as RDF (rdflib), in the pattern documented in :mod:`graph.vocab`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote, unquote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from .model import DocumentRecord, Fact, Node
from .vocab import DOCUMENT_BASE, ENTITY_BASE, FACT_BASE, KG, PREDICATE_PROPERTIES, vocabulary

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def entity_iri(key: str) -> URIRef:
    return URIRef(ENTITY_BASE + quote(key, safe=""))


def key_of(iri: str) -> str:
    """The stored key back from an entity IRI."""
    return unquote(iri.removeprefix(ENTITY_BASE))


def document_iri(doc_id: str) -> URIRef:
    return URIRef(DOCUMENT_BASE + quote(doc_id, safe=""))


def fact_iri(fact_id: str) -> URIRef:
    return URIRef(FACT_BASE + quote(fact_id, safe=""))


def _confidence(value: float) -> Literal:
    """Three decimals (as the extraction JSON writes it), as ``xsd:decimal`` (which has no exponent form)."""
    return Literal(format(Decimal(repr(round(float(value), 3))), "f"), datatype=XSD.decimal)


def _date(value: str) -> Literal:
    """``xsd:date`` when the text is an ISO date, else a plain literal (never an invalid typed literal)."""
    return Literal(value, datatype=XSD.date) if _ISO_DATE.match(value) else Literal(value)


def to_rdf(nodes: Iterable[Node], facts: Iterable[Fact], documents: Iterable[DocumentRecord]) -> Graph:
    """One rdflib graph holding the vocabulary and the data."""
    g = vocabulary()
    g.bind("kgr", ENTITY_BASE)
    add = g.add
    for d in documents:
        iri = document_iri(d.id)
        add((iri, RDF.type, KG.Document))
        add((iri, KG.documentId, Literal(d.id)))
        add((iri, KG.path, Literal(d.path)))
        for prop, value in (
            (KG.title, d.title),
            (KG.issuer, d.issuer),
            (KG.periodText, d.period_text),
        ):
            if value:
                add((iri, prop, Literal(value)))
        dates = ((KG.date, d.date), (KG.periodStart, d.period_start), (KG.periodEnd, d.period_end))
        for prop, value in dates:
            if value:
                add((iri, prop, _date(value)))
    for n in nodes:
        iri = entity_iri(n.key)
        add((iri, RDF.type, KG.Entity))
        add((iri, RDF.type, KG[n.type]))
        add((iri, KG.key, Literal(n.key)))
        add((iri, KG.name, Literal(n.name)))
        add((iri, RDFS.label, Literal(n.name, lang="zh")))
        for alias in n.aliases:
            add((iri, KG.alias, Literal(alias)))
        for doc in n.documents:
            add((iri, KG.mentionedIn, document_iri(doc)))
        add((iri, KG.confidence, _confidence(n.confidence)))
    for f in facts:
        s, o, p = entity_iri(f.subject), entity_iri(f.object), PREDICATE_PROPERTIES[f.predicate]
        add((s, p, o))
        st = fact_iri(f.id)
        add((st, RDF.type, RDF.Statement))
        add((st, RDF.type, KG.Fact))
        add((st, RDF.subject, s))
        add((st, RDF.predicate, p))
        add((st, RDF.object, o))
        add((st, KG.factId, Literal(f.id)))
        add((st, KG.document, document_iri(f.document)))
        add((st, KG.evidence, Literal(f.evidence)))
        add((st, KG.spanStart, Literal(f.span[0], datatype=XSD.integer)))
        add((st, KG.spanEnd, Literal(f.span[1], datatype=XSD.integer)))
        if f.amount_value is not None:
            # plain decimal notation: xsd:decimal has no exponent form
            amount = format(Decimal(repr(f.amount_value)), "f")
            add((st, KG.amountValue, Literal(amount, datatype=XSD.decimal)))
        if f.has_amount:
            add((st, KG.amountMasked, Literal(f.amount_masked)))
            add((st, KG.amountApprox, Literal(f.amount_approx)))
            add((st, KG.amountShared, Literal(f.amount_shared)))
        if f.period_text or f.period_start or f.period_end:
            add((st, KG.periodInherited, Literal(f.period_inherited)))
        add((st, KG.confidence, _confidence(f.confidence)))
        for prop, value in (
            (KG.amountCurrency, f.amount_currency),
            (KG.amountText, f.amount_text),
            (KG.periodText, f.period_text),
            (KG.agency, f.agency),
            (KG.action, f.action),
            (KG.amountGroup, f.amount_group),
        ):
            if value:
                add((st, prop, Literal(value)))
        for prop, value in ((KG.periodStart, f.period_start), (KG.periodEnd, f.period_end)):
            if value:
                add((st, prop, _date(value)))
    return g
