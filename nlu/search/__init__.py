"""Catalog search: query readings, a trigram index and fuzzy re-ranking."""

from nlu.search.index import Document, Hit, SearchIndex, SearchResult

__all__ = ["Document", "Hit", "SearchIndex", "SearchResult"]
