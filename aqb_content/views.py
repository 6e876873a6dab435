"""The public site search: pages and documents, one German results list with pages."""

from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.documents import get_document_model
from wagtail.models import CollectionViewRestriction, Page

RESULTS_PER_PAGE = 10
MAX_PAGE_HITS = 200
MAX_DOCUMENT_HITS = 50


def public_documents():
    """Documents outside collections with a view restriction: only those may be found publicly."""
    restricted = CollectionViewRestriction.objects.values_list("collection_id", flat=True)
    return get_document_model().objects.exclude(collection_id__in=list(restricted))


def find(query):
    """Pages first (by relevance), then documents; each hit as (kind, id) so paging stays cheap."""
    page_ids = [page.pk for page in Page.objects.live().public().search(query)[:MAX_PAGE_HITS]]
    document_ids = [document.pk for document in public_documents().search(query)[:MAX_DOCUMENT_HITS]]
    return [("page", pk) for pk in page_ids] + [("document", pk) for pk in document_ids]


def resolve(hits):
    """Load the objects of one results page: specific pages and documents in two queries."""
    page_ids = [pk for kind, pk in hits if kind == "page"]
    document_ids = [pk for kind, pk in hits if kind == "document"]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=page_ids).specific()} if page_ids else {}
    documents = get_document_model().objects.in_bulk(document_ids) if document_ids else {}
    results = []
    for kind, pk in hits:
        obj = pages.get(pk) if kind == "page" else documents.get(pk)
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
    }
    return render(request, "aqb_content/search.html", context)
