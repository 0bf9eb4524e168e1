"""Catalog search: query readings, a trigram index and fuzzy re-ranking."""

from nlu.search.index import MAX_QUERY, Document, Hit, SearchIndex, SearchResult

__all__ = ["MAX_QUERY", "Document", "Hit", "SearchIndex", "SearchResult"]
