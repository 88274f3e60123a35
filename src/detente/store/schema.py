"""The store's tables, as numbered migrations.

A migration's SQL is frozen once released: a later change to the tables is a new
migration appended to :data:`MIGRATIONS`, never an edit of an old one. The store records
every applied migration in ``schema_migrations``; opening a store applies the missing ones,
each in its own transaction.

Column conventions: ``article_id`` links every row to ``articles.id``; ``n`` is the row's
1-based position in its Document list (events keep the numbering of the PLOVER ids
``<article id>-<n>``); ``start_char`` / ``end_char`` are 0-based, end-exclusive offsets
into ``articles.text``; ``date`` is the event date for events and dyads and the article
date elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version number, what it does, and its statements."""

    version: int
    description: str
    statements: tuple[str, ...]


_V1 = (
    """
    CREATE TABLE articles (
        id VARCHAR PRIMARY KEY,
        content_hash VARCHAR NOT NULL,
        title VARCHAR,
        date DATE,
        url VARCHAR,
        text VARCHAR NOT NULL,
        n_actors INTEGER NOT NULL,
        n_events INTEGER NOT NULL,
        n_quotes INTEGER NOT NULL,
        n_stances INTEGER NOT NULL,
        n_entities INTEGER NOT NULL,
        detente_version VARCHAR NOT NULL,
        ingested_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE actors (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        actor_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        country VARCHAR,
        sector VARCHAR,
        code VARCHAR,
        role VARCHAR,
        side VARCHAR,
        date DATE,
        n_mentions INTEGER NOT NULL,
        n_events INTEGER NOT NULL,
        mentions STRUCT(text VARCHAR, start_char INTEGER, end_char INTEGER)[]
    )
    """,
    """
    CREATE TABLE events (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        source VARCHAR[] NOT NULL,
        target VARCHAR[] NOT NULL,
        source_sides VARCHAR[] NOT NULL,
        target_sides VARCHAR[] NOT NULL,
        cameo_code VARCHAR NOT NULL,
        cameo_name VARCHAR NOT NULL,
        cameo_root VARCHAR NOT NULL,
        goldstein DOUBLE NOT NULL,
        quad_class TINYINT NOT NULL,
        plover_event VARCHAR,
        plover_mode VARCHAR,
        plover_context VARCHAR,
        negated BOOLEAN NOT NULL,
        modality VARCHAR,
        sentence INTEGER NOT NULL,
        trigger VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE dyads (
        article_id VARCHAR NOT NULL,
        event_n INTEGER NOT NULL,
        date DATE,
        source_actor VARCHAR NOT NULL,
        source_name VARCHAR,
        source_code VARCHAR,
        source_country VARCHAR,
        source_sector VARCHAR,
        source_side VARCHAR,
        target_actor VARCHAR,
        target_name VARCHAR,
        target_code VARCHAR,
        target_country VARCHAR,
        target_sector VARCHAR,
        target_side VARCHAR,
        cameo_code VARCHAR NOT NULL,
        cameo_name VARCHAR NOT NULL,
        cameo_root VARCHAR NOT NULL,
        quad_class TINYINT NOT NULL,
        goldstein DOUBLE NOT NULL,
        plover_event VARCHAR,
        negated BOOLEAN NOT NULL,
        sentence INTEGER NOT NULL,
        event_group VARCHAR
    )
    """,
    """
    CREATE TABLE quotes (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        text VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        speaker VARCHAR,
        speaker_name VARCHAR,
        speaker_code VARCHAR,
        speaker_country VARCHAR,
        cue VARCHAR,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        segments STRUCT(start_char INTEGER, end_char INTEGER)[]
    )
    """,
    """
    CREATE TABLE stances (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        holder VARCHAR NOT NULL,
        holder_name VARCHAR,
        holder_code VARCHAR,
        holder_country VARCHAR,
        polarity VARCHAR NOT NULL,
        topic VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE entities (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        text VARCHAR NOT NULL,
        label VARCHAR NOT NULL,
        country VARCHAR,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    )
    """,
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "articles, actors, events, dyads, quotes, stances, entities", _V1),
)

SCHEMA_VERSION = MIGRATIONS[-1].version

# The tables that hold an article's rows, children first (the order rows are deleted in).
ARTICLE_TABLES = ("actors", "events", "dyads", "quotes", "stances", "entities", "articles")
