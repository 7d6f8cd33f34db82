"""What the search views share: their tables, each database's full-text index, the folds, and the ranked page.

A searched list has two tables (`search_tables`):

- `<name>`: one row per record (keyed by its aggregate's id), with the fields its text comes from (`fields`), the
  words of its title (`title_words`) and all its words (`words`), and `entry`, the log position of the record's
  first event: an integer that names the record on every rebuild (SQLite's rowids may change on VACUUM).
- `<name>_words`: on SQLite an FTS5 table (`unicode61 remove_diacritics 2`) whose rowid is the entry, written by
  the view beside the row. It is a table of the view's own, so every way a view's tables are made (`create_all`,
  a rebuild's drop and `CREATE TABLE`, a check's scratch database) makes it: a `CREATE TABLE` of a table marked
  `fts5` compiles to `CREATE VIRTUAL TABLE` on SQLite. On PostgreSQL it is made but never written: there the
  search table's own `words` carry a GIN index on `to_tsvector('simple', words)`, one of the lists' own indexes
  (made after a rebuild's fold); on SQLite that index is declared empty (`WHERE 0`), costing nothing.

A query's words match on the engine's index (every word begins a word of the record: `"w"*` AND ..., or
`'w':* & ...`), and the matches are ranked in plain SQL, the same on both (`ranked_page`): per word, 3 when it is a
whole word of the title, 2 when it begins one, 1 when it is a whole word elsewhere; then by id. Neither bm25() nor
ts_rank() is used: they differ, and the same data must give the same order on either database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ColumnElement,
    Index,
    Select,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.compiler import DDLCompiler, SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from projections.batch import BatchProjection, Fold, Row, Touched, plain
from projections.engine import metadata
from projections.pagination import BadCursor, decode_cursor, encode_cursor
from projections.search.words import joined_words

FTS5_TOKENIZER = "unicode61 remove_diacritics 2"
RANK = "search_rank"  # the label of a match's rank in a search's statement
TextOf = Callable[[Row], tuple[str, list[str]]]  # a record's fields -> its title, and the rest of its text


class tokens(FunctionElement[Any]):  # noqa: N801 - a SQL function, named as SQL names them
    """The words column as the full-text index reads it: `to_tsvector('simple', words)` on PostgreSQL."""

    inherit_cache = True
    name = "tokens"


@compiles(tokens)
def _tokens(element: tokens, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(tokens, "postgresql")
def _tokens_postgresql(element: tokens, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_tsvector('simple', {compiler.process(element.clauses, **kw)})"


@compiles(CreateTable, "sqlite")
def _create_table_sqlite(element: CreateTable, compiler: DDLCompiler, **kw: Any) -> str:
    """A table marked `fts5` is made as an FTS5 table of its `words`; every other table as SQLAlchemy makes it."""
    table = element.element
    if not table.info.get("fts5"):
        return str(compiler.visit_create_table(element, **kw))  # type: ignore[no-untyped-call]
    name = compiler.preparer.format_table(table)
    return f"CREATE VIRTUAL TABLE {name} USING fts5(words, tokenize = '{FTS5_TOKENIZER}')"


class SearchTables(NamedTuple):
    rows: Table
    words: Table


def search_tables(name: str) -> SearchTables:
    """A searched list's tables (above)."""
    rows = Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),
        Column("entry", BigInteger, nullable=False, unique=True),
        Column("fields", JSON, nullable=False),
        Column("title_words", Text, nullable=False),
        Column("words", Text, nullable=False),
    )
    Index(
        f"{name}_matches",
        tokens(rows.c.words),
        postgresql_using="gin",
        sqlite_where=literal_column("0"),
        info={"serves": "lists"},
    )
    words = Table(
        f"{name}_words",
        metadata,
        Column("rowid", BigInteger, primary_key=True, autoincrement=False),
        Column("words", Text, nullable=False),
        info={"fts5": True},
    )
    return SearchTables(rows, words)


def _worded(row: Row, text_of: TextOf) -> Row:
    title, rest = text_of(row["fields"])
    title_words = joined_words([title])
    return {**row, "title_words": title_words, "words": " ".join(filter(None, [title_words, joined_words(rest)]))}


def entry_made(search: SearchTables, fields_of: Callable[[Any], Row], text_of: TextOf) -> Fold:
    """The fold of a record's first event: its row, named by the event's position in the log."""
    name = search.rows.name

    def fold(touched: Touched, event: Any) -> None:
        row = {"id": str(event.originator_id), "entry": touched.envelope.position, "fields": plain(fields_of(event))}
        touched[name].put(_worded(row, text_of))

    return fold


def entry_changed(search: SearchTables, changes_of: Callable[[Any], Row], text_of: TextOf) -> Fold:
    """The fold of a later event that changes some of the record's fields (`changes_of`: those it changes)."""
    name = search.rows.name

    def fold(touched: Touched, event: Any) -> None:
        row = touched[name][str(event.originator_id)]
        fields = {**row["fields"], **plain(changes_of(event))}
        touched[name].put(_worded({**row, "fields": fields}, text_of))

    return fold


class SearchView(BatchProjection):
    """A searched list's view: its rows, and on SQLite the FTS5 table beside them, written in the same flush."""

    search: SearchTables

    def flush(self, session: Session, touched: Touched) -> None:
        changed = list(touched[self.search.rows.name].changed.values())
        super().flush(session, touched)
        connection = session.connection()
        if not changed or connection.dialect.name != "sqlite":
            return
        table = connection.dialect.identifier_preparer.format_table(self.search.words)
        connection.exec_driver_sql(f"DELETE FROM {table} WHERE rowid = ?", [(row["entry"],) for row in changed])
        inserted = [(row["entry"], row["words"]) for row in changed]
        connection.exec_driver_sql(f"INSERT INTO {table} (rowid, words) VALUES (?, ?)", inserted)  # type: ignore[arg-type]


def _matches(search: SearchTables, dialect: str, words: Sequence[str]) -> ColumnElement[bool]:
    """Every word begins a word of the record, asked of the engine's own index; each word quoted (it is [a-z0-9]+)."""
    if dialect == "sqlite":
        asked = " AND ".join('"{}"*'.format(word.replace('"', '""')) for word in words)
        return search.words.c.words.bool_op("MATCH")(asked)
    asked = " & ".join("'{}':*".format(word.replace("'", "''")) for word in words)
    return tokens(search.rows.c.words).bool_op("@@")(func.to_tsquery(literal_column("'simple'"), asked))


def rank(search: SearchTables, words: Sequence[str]) -> ColumnElement[int]:
    """Per word: 3 a whole word of the title, 2 the beginning of one, 1 a whole word elsewhere, else 0; summed."""
    rows = search.rows
    title = literal(" ") + rows.c.title_words + literal(" ")
    body = literal(" ") + rows.c.words + literal(" ")
    scores = [
        case((title.like(f"% {w} %"), 3), (title.like(f"% {w}%"), 2), (body.like(f"% {w} %"), 1), else_=0)
        for w in words
    ]
    total: ColumnElement[int] = scores[0]
    for score in scores[1:]:
        total = total + score
    return total


def _after(cursor: str) -> tuple[int, str]:
    found, last = decode_cursor(cursor, 2)
    if not isinstance(found, int) or isinstance(found, bool) or not isinstance(last, str):
        raise BadCursor("The cursor is not valid; use the `next` link of the previous page.")
    return found, last


def ranked_page(  # noqa: PLR0913 - the list's query, what it is searched by, and the page
    session: Session,
    listed: Select[Any],
    listed_id: Column[Any],
    search: SearchTables,
    words: Sequence[str],
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[Row], str | None]:
    """One page of the list's rows (its filters and disclosure as `listed` says) that match every word, best first,
    then by id: the keyset is (rank, id), in an opaque cursor. Ordering matches by their rank is a sort of the
    matches: no index can hold an order that depends on the query."""
    rows, dialect = search.rows, session.get_bind().dialect.name
    score = rank(search, words)
    query = listed.add_columns(score.label(RANK)).join(rows, rows.c.id == listed_id)
    if dialect == "sqlite":
        query = query.join(search.words, search.words.c.rowid == rows.c.entry)
    query = query.where(_matches(search, dialect, words)).order_by(score.desc(), rows.c.id)
    if cursor:
        found, last = _after(cursor)
        query = query.where(or_(score < found, and_(score == found, rows.c.id > last)))
    fetched = [dict(row) for row in session.execute(query.limit(limit + 1)).mappings()]
    if len(fetched) <= limit:
        return fetched, None
    page = fetched[:limit]
    return page, encode_cursor([page[-1][RANK], str(page[-1][listed_id.name])])
