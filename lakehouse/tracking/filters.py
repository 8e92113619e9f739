"""MLflow's run filter grammar, parsed into an AST (never pasted into SQL).

Grammar (keywords case-insensitive)::

    filter     := or_expr
    or_expr    := and_expr ("OR" and_expr)*
    and_expr   := atom ("AND" atom)*
    atom       := "(" or_expr ")" | comparison
    comparison := identifier op value
                | identifier ["NOT"] "IN" "(" value ("," value)* ")"
                | identifier "IS" ["NOT"] "NULL"
    op         := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | ["NOT"] "LIKE" | ["NOT"] "ILIKE"
    identifier := prefix "." key | attribute
    prefix     := metrics | params | tags | attributes | datasets  (also metric, param,
                  parameter(s), tag, attribute, attr, run, dataset)
    key        := bare word (letters, digits, _ . - : /) | `backquoted` | "double quoted"
    value      := 'single quoted' ('' or \\' escapes a quote) | number

Metrics compare with numbers; params, tags and string attributes with quoted
strings. ``datasets.name``, ``datasets.digest`` and ``datasets.context`` match a run
when any dataset it logged matches (=, !=, LIKE, ILIKE, IN, NOT IN, as MLflow);
they cannot be ordered by. An error names the position and the offending token.

What a filter may name (prefixes, bare attributes, which are numeric) is a
:class:`Vocabulary`: :data:`RUNS` for runs and experiments; the registry's
search passes its own (``name``, ``version_number``, ``tags.<key>`` ...), so
runs, models and versions share one parser and one set of errors.

Example::

    parse_filter("metrics.auc > 0.8 AND (params.depth IN ('5', '6') OR tags.`team name` = 'x')")
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "RUNS",
    "And",
    "Comparison",
    "Node",
    "Or",
    "OrderKey",
    "Vocabulary",
    "parse_filter",
    "parse_order_by",
]

PREFIXES = {
    "metric": "metrics",
    "metrics": "metrics",
    "param": "params",
    "params": "params",
    "parameter": "params",
    "parameters": "params",
    "tag": "tags",
    "tags": "tags",
    "attribute": "attributes",
    "attributes": "attributes",
    "attr": "attributes",
    "run": "attributes",
    "dataset": "datasets",
    "datasets": "datasets",
}
DATASET_KEYS = ("name", "digest", "context")
_DATASET_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
STRING_ATTRIBUTES = (
    "run_id",
    "run_name",
    "status",
    "user_id",
    "artifact_uri",
    "lifecycle_stage",
    "experiment_id",
    "name",
)
NUMERIC_ATTRIBUTES = ("start_time", "end_time", "creation_time", "last_update_time")
_ATTR_ALIASES = {"run_uuid": "run_id", "runName": "run_name", "run name": "run_name"}
_NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "IS NULL", "IS NOT NULL")
_STRING_OPS = (
    "=",
    "!=",
    "LIKE",
    "ILIKE",
    "NOT LIKE",
    "NOT ILIKE",
    "IN",
    "NOT IN",
    "IS NULL",
    "IS NOT NULL",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vocabulary:
    """What a filter may name: prefixed keys, bare attributes, and which are numbers."""

    prefixes: Mapping[str, str]
    """Prefix as written (any case) -> the kind it names, e.g. ``"metric": "metrics"``."""
    string_attributes: tuple[str, ...]
    numeric_attributes: tuple[str, ...] = ()
    aliases: Mapping[str, str] | None = None
    """Other spellings of attributes, e.g. ``run_uuid`` for ``run_id``."""
    numeric_kinds: tuple[str, ...] = ()
    """Prefixed kinds whose values are numbers (``metrics`` for runs)."""
    fixed_keys: Mapping[str, tuple[str, ...]] | None = None
    """Prefixed kinds that take only these keys (``datasets``: name, digest, context)."""
    kind_operators: Mapping[str, tuple[str, ...]] | None = None
    """Prefixed kinds that take only these operators."""
    unsortable: tuple[str, ...] = ()
    """Prefixed kinds ``order_by`` refuses."""
    example: str = "metrics.accuracy"
    """An identifier shown in errors."""
    hint: str = ""
    """The last line of every error: a valid filter and what the grammar allows."""

    def kinds(self) -> str:
        """``metrics., params., tags. or attributes.`` as errors name them."""
        return _either([f"{k}." for k in dict.fromkeys(self.prefixes.values())])

    def choices(self) -> str:
        """Every identifier form, as the error for an unknown one lists them."""
        attributes = ", ".join(self.string_attributes + self.numeric_attributes)
        kinds = list(dict.fromkeys(self.prefixes.values()))
        if "attributes" in kinds:  # runs: attributes are also written with their prefix
            forms = [f"{k}.<key>" for k in kinds if k != "attributes"] + ["attributes.<name>"]
            return f"{_either(forms)} ({attributes})"
        return _either(
            [*self.string_attributes, *self.numeric_attributes] + [f"{k}.<key>" for k in kinds]
        )


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


RUNS = Vocabulary(
    prefixes=PREFIXES,
    string_attributes=STRING_ATTRIBUTES,
    numeric_attributes=NUMERIC_ATTRIBUTES,
    aliases=_ATTR_ALIASES,
    numeric_kinds=("metrics",),
    fixed_keys={"datasets": DATASET_KEYS},
    kind_operators={"datasets": _DATASET_OPS},
    unsortable=("datasets",),
    hint=(
        "Expected e.g. \"metrics.accuracy > 0.9 AND params.depth = '5'\" (prefixes: metrics., "
        "params., tags., attributes., datasets.; strings in single quotes; OR, parentheses and IN "
        "allowed)"
    ),
)
"""The run (and experiment) filter vocabulary, as MLflow's ``search_runs`` takes it."""

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\() | (?P<rparen>\)) | (?P<comma>,)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))
  | (?P<squote>'(?:[^'\\]|\\.|'')*')
  | (?P<dquote>"(?:[^"\\]|\\.)*")
  | (?P<bquote>`[^`]*`)
  | (?P<word>[A-Za-z_][\w\-:/]*)
  | (?P<dot>\.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """``<kind>.<key> <op> <value>``; ``kind`` is metrics, params, tags or attributes."""

    kind: str
    key: str
    op: str
    value: object


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node = Comparison | And | Or


@dataclass(frozen=True, slots=True)
class OrderKey:
    kind: str
    key: str
    ascending: bool


def _error(
    text: str, pos: int, token: str, why: str, vocabulary: Vocabulary = RUNS
) -> InvalidArgumentError:
    pointer = " " * pos + "^"
    shown = token if token else "end of filter"
    return InvalidArgumentError(
        f"invalid filter at position {pos} near {shown!r}: {why}\n  {text}\n  {pointer}\n"
        + vocabulary.hint
    )


def tokenize(text: str, vocabulary: Vocabulary = RUNS) -> list[Token]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            why = "unbalanced quote" if ch in "'\"`" else f"unexpected character {ch!r}"
            raise _error(text, pos, text[pos : pos + 10], why, vocabulary)
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append(Token(kind, m.group(), pos))
        pos = m.end()
    return out


def _unquote(tok: Token) -> str:
    body = tok.text[1:-1]
    if tok.kind == "squote":
        body = body.replace("''", "'")
    if tok.kind in ("squote", "dquote"):
        body = re.sub(r"\\(.)", r"\1", body)
    return body


class _Parser:
    def __init__(self, text: str, vocabulary: Vocabulary = RUNS):
        self.text = text
        self.vocab = vocabulary
        self.tokens = tokenize(text, vocabulary)
        self.i = 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def fail(self, why: str, tok: Token | None = None) -> InvalidArgumentError:
        tok = tok or self.peek()
        if tok is None:
            return _error(self.text, len(self.text), "", why, self.vocab)
        return _error(self.text, tok.pos, tok.text, why, self.vocab)

    def next(self, why: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.fail(why)
        self.i += 1
        return tok

    def keyword(self, *words: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "word" and tok.text.upper() in words:
            self.i += 1
            return True
        return False

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr()
        if self.peek() is not None:
            raise self.fail("expected AND, OR or the end of the filter")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.keyword("OR"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.atom()]
        while self.keyword("AND"):
            items.append(self.atom())
        return items[0] if len(items) == 1 else And(tuple(items))

    def atom(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "lparen":
            self.i += 1
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise self.fail(f"unbalanced parenthesis opened at position {tok.pos}", close)
            self.i += 1
            return node
        return self.comparison()

    def identifier(self) -> tuple[str, str, Token]:
        expected = f"expected an identifier such as {self.vocab.example}"
        tok = self.next(expected)
        if tok.kind in ("bquote", "dquote"):
            raise self.fail(f"a key needs a prefix: {self.vocab.kinds()}", tok)
        if tok.kind != "word":
            raise self.fail(expected, tok)
        head, dot, rest = tok.text.partition(".")
        return self._identifier_parts(tok, head, dot, rest)

    def _identifier_parts(
        self, tok: Token, head: str, dot: str, rest: str
    ) -> tuple[str, str, Token]:
        # `word` tokens have no dots; the prefix is followed by a dot token.
        nxt, vocab = self.peek(), self.vocab
        aliases = vocab.aliases or {}
        attributes = vocab.string_attributes + vocab.numeric_attributes
        if nxt is not None and nxt.kind == "dot" and head.lower() in vocab.prefixes:
            self.i += 1
            kind = vocab.prefixes[head.lower()]
            key = self._key()
        elif head in aliases or head in attributes:
            kind, key = "attributes", head
        elif nxt is not None and nxt.kind == "dot":
            raise self.fail(f"unknown prefix {head!r}; use {vocab.kinds()}", tok)
        else:
            raise self.fail(f"unknown identifier {head!r}; use {vocab.choices()}", tok)
        if kind == "attributes":
            key = aliases.get(key, key)
            if key not in attributes:
                raise self.fail(f"unknown attribute {key!r}", tok)
        fixed = (vocab.fixed_keys or {}).get(kind)
        if fixed is not None and key not in fixed:
            raise self.fail(f"unknown key {key!r} for {kind}.; use {_either(list(fixed))}", tok)
        return kind, key, tok

    def _key(self) -> str:
        tok = self.next("expected a key after the prefix")
        if tok.kind in ("bquote", "dquote"):
            return _unquote(tok)
        if tok.kind != "word":
            raise self.fail("expected a key after the prefix", tok)
        parts = [tok.text]
        while (d := self.peek()) is not None and d.kind == "dot":
            nxt = self.peek(1)
            if nxt is None or nxt.kind not in ("word", "number"):
                raise self.fail("expected a key part after '.'", nxt)
            self.i += 2
            parts.append(nxt.text)
        return ".".join(parts)

    def operator(self) -> tuple[str, Token]:
        tok = self.next("expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN)")
        if tok.kind == "op":
            return ("!=" if tok.text == "<>" else tok.text), tok
        word = tok.text.upper() if tok.kind == "word" else ""
        if word in ("LIKE", "ILIKE", "IN"):
            return word, tok
        if (
            word == "NOT"
            and (n := self.peek()) is not None
            and n.text.upper() in ("LIKE", "ILIKE", "IN")
        ):
            self.i += 1
            return f"NOT {n.text.upper()}", tok
        if word == "IS":
            negate = self.keyword("NOT")
            if not self.keyword("NULL"):
                raise self.fail("expected NULL after IS [NOT]")
            return ("IS NOT NULL" if negate else "IS NULL"), tok
        raise self.fail(
            "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN)", tok
        )

    def value(self, numeric: bool) -> object:
        tok = self.next("expected a value")
        if tok.kind == "number":
            if not numeric:
                raise self.fail("expected a quoted string value, e.g. '5'", tok)
            return float(tok.text)
        if tok.kind in ("squote", "dquote"):
            if numeric:
                raise self.fail("expected a number (metrics and times compare with numbers)", tok)
            return _unquote(tok)
        if tok.kind == "word" and tok.text.lower() in ("nan", "inf", "infinity") and numeric:
            return float(tok.text)
        raise self.fail("expected a value (a number or a 'quoted string')", tok)

    def comparison(self) -> Comparison:
        kind, key, ident = self.identifier()
        op, op_tok = self.operator()
        numeric = kind in self.vocab.numeric_kinds or (
            kind == "attributes" and key in self.vocab.numeric_attributes
        )
        allowed = (self.vocab.kind_operators or {}).get(kind) or (
            _NUMERIC_OPS if numeric else _STRING_OPS
        )
        if op not in allowed:
            raise self.fail(
                f"operator {op} does not apply to {kind}.{key}; allowed: {', '.join(allowed)}",
                op_tok,
            )
        if op.startswith("IS"):
            return Comparison(kind, key, op, None)
        if op.endswith("IN"):
            return Comparison(kind, key, op, self.values(numeric))
        return Comparison(kind, key, op, self.value(numeric))

    def values(self, numeric: bool) -> tuple[object, ...]:
        tok = self.next("expected '(' after IN")
        if tok.kind != "lparen":
            raise self.fail("expected '(' after IN, e.g. IN ('a', 'b')", tok)
        out = [self.value(numeric)]
        while (tok := self.next("expected ',' or ')' in the IN list")).kind == "comma":
            out.append(self.value(numeric))
        if tok.kind != "rparen":
            raise self.fail("expected ',' or ')' in the IN list", tok)
        return tuple(out)


def parse_filter(text: str | None, vocabulary: Vocabulary = RUNS) -> Node | None:
    """The AST of a filter string (None for an empty filter)."""
    return _Parser(text or "", vocabulary).parse()


def parse_order_by(clauses: list[str] | None, vocabulary: Vocabulary = RUNS) -> list[OrderKey]:
    """``["metrics.auc DESC", "params.depth"]`` -> order keys (ASC by default)."""
    out = []
    for clause in clauses or []:
        p = _Parser(clause, vocabulary)
        kind, key, tok = p.identifier()
        if kind in vocabulary.unsortable:
            raise p.fail(f"runs cannot be ordered by {kind}.{key}", tok)
        ascending = True
        if p.keyword("DESC"):
            ascending = False
        else:
            p.keyword("ASC")
        if p.peek() is not None:
            raise p.fail("expected ASC, DESC or the end of the order_by clause")
        out.append(OrderKey(kind, (vocabulary.aliases or {}).get(key, key), ascending))
    return out


def referenced(node: Node | None) -> set[tuple[str, str]]:
    """(kind, key) pairs a filter reads."""
    if node is None:
        return set()
    if isinstance(node, Comparison):
        return {(node.kind, node.key)}
    return set().union(*(referenced(n) for n in node.items))
