"""The published RDF vocabulary of policy-kg (prefix ``kg:``, namespace ``https://policy-kg.org/ns#``).

RDF export pattern
==================

Every export (``kg export --format ttl|jsonld|nt``) carries the vocabulary
below and the data, in these shapes:

* **Entities** are ``https://policy-kg.org/id/entity/<key>``, the stored key
  (``Project:凌智产业园``) percent-encoded with ``urllib.parse.quote`` (so the
  IRI is plain ASCII; decode it to get the key back).  Each has
  ``rdf:type kg:Entity`` and its type class (``kg:Project`` …), ``kg:key``,
  ``kg:name`` and ``rdfs:label`` (the canonical name, ``@zh``), one
  ``kg:alias`` per alias, and ``kg:mentionedIn`` for every document that
  mentions it.
* **Documents** are ``https://policy-kg.org/id/document/<id>`` of type
  ``kg:Document`` with ``kg:documentId``, ``kg:path``, ``kg:title``,
  ``kg:issuer``, ``kg:date`` (``xsd:date``), ``kg:periodStart`` /
  ``kg:periodEnd`` / ``kg:periodText``.
* **Facts** are stated twice.  The *direct triple* ``<subject> kg:fundedBy
  <object>`` (``kg:investsIn``, ``kg:participatesIn``, ``kg:locatedIn``,
  ``kg:issuedBy`` for the other predicates) lets simple SPARQL follow the
  graph.  The *reified statement* ``https://policy-kg.org/id/fact/<fact id>``
  (``rdf:type rdf:Statement, kg:Fact``, with ``rdf:subject`` /
  ``rdf:predicate`` / ``rdf:object`` naming that same triple) carries what
  the triple cannot: ``kg:factId``, ``kg:document`` (the document IRI),
  ``kg:evidence`` (the sentence), ``kg:spanStart`` / ``kg:spanEnd``
  (``xsd:integer`` offsets), ``kg:amountValue`` (``xsd:decimal``, whole units;
  absent when the amount is masked), ``kg:amountCurrency``,
  ``kg:amountText`` (as written: ``2.5亿元``), ``kg:amountMasked`` /
  ``kg:amountApprox`` (``xsd:boolean``), ``kg:periodStart`` / ``kg:periodEnd``
  (``xsd:date``), ``kg:periodText``, ``kg:agency`` and ``kg:action``
  (literals), ``kg:amountShared`` (``xsd:boolean``: one amount several
  recipients share; ``kg:amountGroup`` names the set), ``kg:periodInherited``
  (``xsd:boolean``: the sentence names no time, the period is the report's)
  and ``kg:confidence`` (``xsd:decimal`` 0–1, how sure the extractor is; an
  entity carries one too).  Absent qualifiers are absent triples, never empty strings.

Which projects got 专项债, and how much::

    PREFIX kg: <https://policy-kg.org/ns#>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT ?project ?amount WHERE {
      ?fund kg:name "专项债" .
      ?p a kg:Project ; kg:name ?project ; kg:fundedBy ?fund .
      OPTIONAL { ?f rdf:subject ?p ; rdf:predicate kg:fundedBy ; rdf:object ?fund ;
                    kg:amountValue ?amount . }
    }
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from extract.model import ENTITY_TYPES, PREDICATE_LABELS_ZH, PREDICATES, TYPE_LABELS_ZH

KG = Namespace("https://policy-kg.org/ns#")
ENTITY_BASE = "https://policy-kg.org/id/entity/"
DOCUMENT_BASE = "https://policy-kg.org/id/document/"
FACT_BASE = "https://policy-kg.org/id/fact/"

#: Stored predicate -> the property of the direct triple.
PREDICATE_PROPERTIES: dict[str, URIRef] = {
    "FUNDED_BY": KG.fundedBy,
    "INVESTS_IN": KG.investsIn,
    "PARTICIPATES_IN": KG.participatesIn,
    "LOCATED_IN": KG.locatedIn,
    "ISSUED_BY": KG.issuedBy,
}

#: Literal-valued properties and their datatypes (None: plain string).
DATA_PROPERTIES: dict[str, URIRef | None] = {
    "key": None,
    "name": None,
    "alias": None,
    "documentId": None,
    "path": None,
    "title": None,
    "issuer": None,
    "date": XSD.date,
    "factId": None,
    "evidence": None,
    "spanStart": XSD.integer,
    "spanEnd": XSD.integer,
    "amountValue": XSD.decimal,
    "amountCurrency": None,
    "amountText": None,
    "amountMasked": XSD.boolean,
    "amountApprox": XSD.boolean,
    "periodStart": XSD.date,
    "periodEnd": XSD.date,
    "periodText": None,
    "agency": None,
    "action": None,
    "amountShared": XSD.boolean,
    "amountGroup": None,
    "periodInherited": XSD.boolean,
    "confidence": XSD.decimal,
}


def vocabulary() -> Graph:
    """The vocabulary as RDF: classes and properties with English and Chinese labels."""
    g = Graph()
    g.bind("kg", KG)
    g.add((KG.Entity, RDF.type, OWL.Class))
    g.add((KG.Entity, RDFS.label, Literal("Entity", lang="en")))
    g.add((KG.Entity, RDFS.label, Literal("实体", lang="zh")))
    for t in ENTITY_TYPES:
        cls = KG[t]
        g.add((cls, RDF.type, OWL.Class))
        g.add((cls, RDFS.subClassOf, KG.Entity))
        g.add((cls, RDFS.label, Literal(t, lang="en")))
        g.add((cls, RDFS.label, Literal(TYPE_LABELS_ZH[t], lang="zh")))
    g.add((KG.Document, RDF.type, OWL.Class))
    g.add((KG.Document, RDFS.label, Literal("Document", lang="en")))
    g.add((KG.Document, RDFS.label, Literal("文档", lang="zh")))
    g.add((KG.Fact, RDF.type, OWL.Class))
    g.add((KG.Fact, RDFS.subClassOf, RDF.Statement))
    g.add((KG.Fact, RDFS.label, Literal("Fact (a reified statement with its qualifiers)", lang="en")))
    for p in PREDICATES:
        prop = PREDICATE_PROPERTIES[p]
        g.add((prop, RDF.type, OWL.ObjectProperty))
        g.add((prop, RDFS.label, Literal(p, lang="en")))
        g.add((prop, RDFS.label, Literal(PREDICATE_LABELS_ZH[p], lang="zh")))
        g.add((prop, RDFS.domain, KG.Entity))
        g.add((prop, RDFS.range, KG.Entity))
    for name in ("mentionedIn", "document"):
        g.add((KG[name], RDF.type, OWL.ObjectProperty))
        g.add((KG[name], RDFS.range, KG.Document))
    for name, dtype in DATA_PROPERTIES.items():
        g.add((KG[name], RDF.type, OWL.DatatypeProperty))
        if dtype is not None:
            g.add((KG[name], RDFS.range, dtype))
    return g
