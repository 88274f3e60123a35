"""History over a store: dyad series, active actors, events, quotes, stances, the country network.

The functions in :mod:`detente.analysis.queries` take a DuckDB connection; most users call
them through :class:`detente.Store` (``Store(path).dyad("CHN", "RUS", by="month")``).
"""

from detente.analysis.result import (
    ActorRanking,
    DyadSeries,
    EventList,
    Network,
    QuoteList,
    Result,
    StanceList,
)

__all__ = ["ActorRanking", "DyadSeries", "EventList", "Network", "QuoteList", "Result",
           "StanceList"]
