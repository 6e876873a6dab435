"""What a visitor types into the site search, turned into terms both index backends understand.

PostgreSQL stems German words itself (SEARCH_CONFIG "german" in the settings); SQLite's
full-text index only knows whole words. So each word also becomes a prefix: a trailing `*`
("Teilnehm*", as KURSNET users type it) is taken as given, any other word is cut to a rough
German stem ("Teilnehmer" → "teilnehm", which "Teilnehmende" starts with). The prefixes are
matched against the autocomplete index, which both backends search by prefix.
"""

import re
from dataclasses import dataclass

MAX_TERMS = 5
MIN_STEM_LENGTH = 4

# Longest first: inflection and the endings of person nouns ("Teilnehmer", "Teilnehmende",
# "Teilnehmerinnen"), not derivation; a rough cut is enough because the stem is used as a prefix.
GERMAN_ENDINGS = ("innen", "enden", "ende", "erin", "ern", "end", "en", "er", "es", "in", "e", "n", "s")

WORD = re.compile(r"(\w+)(\*?)")


@dataclass(frozen=True)
class Term:
    word: str  # as typed, without the wildcard
    prefix: str  # what indexed words must start with


def german_stem(word):
    """Cut one German ending off, keeping at least MIN_STEM_LENGTH letters; numbers stay whole."""
    word = word.lower()
    if not word.isalpha():
        return word
    for ending in GERMAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM_LENGTH:
            return word[: -len(ending)]
    return word


def parse(query):
    """The terms of a query: words (split at hyphens and punctuation, as the index splits them)."""
    terms = []
    for word, wildcard in WORD.findall(query):
        prefix = word.lower() if wildcard else german_stem(word)
        terms.append(Term(word=word, prefix=prefix))
    return terms[:MAX_TERMS]


def full_text(terms):
    """The query for the backend's own (ranked, on PostgreSQL stemmed) full-text search."""
    return " ".join(term.word for term in terms)


def matches_text(terms, text):
    """True if every term starts some word of `text`: for results that are not in the index."""
    words = [word.lower() for word, _wildcard in WORD.findall(text)]
    return all(any(word.startswith(term.prefix) for word in words) for term in terms)


MIN_NUMBER_DIGITS = 3


def number_digits(query):
    """The digits of a query that looks like (part of) a phone number, else "".

    Phone numbers are matched by their digits alone: "0561/106-4092", "106 4092" and "4092" all
    find "0561 106-4092", which PostgreSQL's parser would split into "0561", "106" and "-4092".
    """
    if re.search(r"[^\d\s/()+-]", query):
        return ""
    digits = re.sub(r"\D", "", query)
    return digits if len(digits) >= MIN_NUMBER_DIGITS else ""


def public_documents():
    """The documents the public search may list: none that only a logged-in or invited visitor may see.

    Left out: documents in a collection with a view restriction or below one (Wagtail's
    document view applies a collection's restriction to its sub-collections too), and
    documents that pages use only where the public cannot see them (unpublished pages, pages
    behind a view restriction), such as the attachment of an announcement still in draft.
    A document no page uses stays findable: it is public at its address.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction, Page, ReferenceIndex

    # The search backend filters only on indexed filter fields ("collection", "id"): ids, not paths.
    documents = get_document_model().objects.all()
    restricted = Q()
    for path in set(CollectionViewRestriction.objects.values_list("collection__path", flat=True)):
        restricted |= Q(path__startswith=path)
    if restricted:
        documents = documents.exclude(collection_id__in=list(Collection.objects.filter(restricted).values_list("pk", flat=True)))

    uses = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(get_document_model()),
        base_content_type=ContentType.objects.get_for_model(Page),
    ).values_list("object_id", "to_object_id")
    uses = [(page_id, document_id) for page_id, document_id in uses if document_id.isdigit()]
    if uses:
        public_pages = {str(pk) for pk in Page.objects.live().public().values_list("pk", flat=True)}
        used = {int(document_id) for _page, document_id in uses}
        used_publicly = {int(document_id) for page_id, document_id in uses if page_id in public_pages}
        documents = documents.exclude(id__in=sorted(used - used_publicly))
    return documents
