"""The public site search: contacts, pages, the participant template and documents in one German results list."""

import re

from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from . import search as search_terms
from .models import Contact, DownloadsPage

RESULTS_PER_PAGE = 10
MAX_PAGE_HITS = 200
MAX_DOCUMENT_HITS = 50
MAX_CONTACT_HITS = 20
PARTICIPANT_TEMPLATE_TITLE = "Teilnehmenden-Vorlage (Excel)"


def ranked_ids(queryset, terms, limit):
    """Ids of `queryset` that hold every term: the backend's ranked hits first, then prefix-only hits.

    The full-text search (all words, stemmed on PostgreSQL) gives the order; each term's prefix on
    the autocomplete index adds word forms and wildcards the full-text search does not know.
    """
    backend = get_search_backend()
    ranked = [obj.pk for obj in backend.search(search_terms.full_text(terms), queryset, operator="and")[:limit]]
    by_prefix = None
    for term in terms:
        found = {obj.pk for obj in backend.autocomplete(term.prefix, queryset)[:limit]}
        by_prefix = found if by_prefix is None else by_prefix & found
    return (ranked + sorted(by_prefix - set(ranked)))[:limit]


def contacts_by_number(query):
    """Contacts with a phone number holding the query's digits; contacts are few, so they are read whole."""
    digits = search_terms.number_digits(query)
    if not digits:
        return []
    return [
        contact.pk
        for contact in Contact.objects.all()
        if any(digits in re.sub(r"\D", "", phone.value["number"]) for phone in contact.phones)
    ]


def participant_template_hit(terms):
    """The participant template is generated, not a document: found by its name and the downloads page's text."""
    downloads = DownloadsPage.objects.live().public().first()
    if downloads is None:
        return []
    text = f"{PARTICIPANT_TEMPLATE_TITLE} Excel XLSX {downloads.participant_template_text}"
    return [("template", downloads.pk)] if search_terms.matches_text(terms, text) else []


def find(query):
    """Contacts, pages (by relevance), the participant template, documents; each hit as (kind, id)."""
    terms = search_terms.parse(query)
    if not terms:
        return []
    contact_ids = ranked_ids(Contact.objects.all(), terms, MAX_CONTACT_HITS)
    contact_ids += [pk for pk in contacts_by_number(query) if pk not in contact_ids]
    page_ids = ranked_ids(Page.objects.live().public(), terms, MAX_PAGE_HITS)
    document_ids = ranked_ids(search_terms.public_documents(), terms, MAX_DOCUMENT_HITS)
    return (
        [("contact", pk) for pk in contact_ids]
        + [("page", pk) for pk in page_ids]
        + participant_template_hit(terms)
        + [("document", pk) for pk in document_ids]
    )


def resolve(hits):
    """Load the objects of one results page: specific pages, documents and contacts, one query each."""
    ids = {kind: [pk for hit_kind, pk in hits if hit_kind == kind] for kind in ("page", "document", "contact")}
    ids["page"] += [pk for kind, pk in hits if kind == "template"]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ids["page"]).specific()} if ids["page"] else {}
    objects = {
        "page": pages,
        "template": pages,
        "document": get_document_model().objects.in_bulk(ids["document"]) if ids["document"] else {},
        "contact": Contact.objects.in_bulk(ids["contact"]) if ids["contact"] else {},
    }
    results = []
    for kind, pk in hits:
        obj = objects[kind].get(pk)
        if obj is not None:
            results.append({"kind": kind, "object": obj})
    return results


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    hits = find(query) if query else []
    paginator = Paginator(hits, RESULTS_PER_PAGE)
    results_page = paginator.get_page(request.GET.get("seite"))
    context = {
        "search_query": query,
        "results_page": results_page,
        "results": resolve(list(results_page.object_list)),
        "total": paginator.count,
        "participant_template_title": PARTICIPANT_TEMPLATE_TITLE,
    }
    return render(request, "aqb_content/search.html", context)
