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
    prefix     := metrics | params | tags | attributes  (also metric, param, parameter(s),
                                                        tag, attribute, attr, run)
    key        := bare word (letters, digits, _ . - : /) | `backquoted` | "double quoted"
    value      := 'single quoted' ('' or \\' escapes a quote) | number

Metrics compare with numbers; params, tags and string attributes with quoted
strings. An error names the position and the offending token.

Example::

    parse_filter("metrics.auc > 0.8 AND (params.depth IN ('5', '6') OR tags.`team name` = 'x')")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lakehouse.errors import InvalidArgumentError

__all__ = [
    "And",
    "Comparison",
    "Node",
    "Or",
    "OrderKey",
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
}
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


def _error(text: str, pos: int, token: str, why: str) -> InvalidArgumentError:
    pointer = " " * pos + "^"
    shown = token if token else "end of filter"
    return InvalidArgumentError(
        f"invalid filter at position {pos} near {shown!r}: {why}\n  {text}\n  {pointer}\n"
        "Expected e.g. \"metrics.accuracy > 0.9 AND params.depth = '5'\" (prefixes: metrics., "
        "params., tags., attributes.; strings in single quotes; OR, parentheses and IN allowed)"
    )


def tokenize(text: str) -> list[Token]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            why = "unbalanced quote" if ch in "'\"`" else f"unexpected character {ch!r}"
            raise _error(text, pos, text[pos : pos + 10], why)
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
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def fail(self, why: str, tok: Token | None = None) -> InvalidArgumentError:
        tok = tok or self.peek()
        if tok is None:
            return _error(self.text, len(self.text), "", why)
        return _error(self.text, tok.pos, tok.text, why)

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
        tok = self.next("expected an identifier such as metrics.accuracy")
        if tok.kind in ("bquote", "dquote"):
            raise self.fail("a key needs a prefix: metrics., params., tags. or attributes.", tok)
        if tok.kind != "word":
            raise self.fail("expected an identifier such as metrics.accuracy", tok)
        head, dot, rest = tok.text.partition(".")
        return self._identifier_parts(tok, head, dot, rest)

    def _identifier_parts(
        self, tok: Token, head: str, dot: str, rest: str
    ) -> tuple[str, str, Token]:
        # `word` tokens have no dots; the prefix is followed by a dot token.
        nxt = self.peek()
        if nxt is not None and nxt.kind == "dot" and head.lower() in PREFIXES:
            self.i += 1
            kind = PREFIXES[head.lower()]
            key = self._key()
        elif head in _ATTR_ALIASES or head in STRING_ATTRIBUTES or head in NUMERIC_ATTRIBUTES:
            kind, key = "attributes", head
        elif nxt is not None and nxt.kind == "dot":
            raise self.fail(
                f"unknown prefix {head!r}; use metrics., params., tags. or attributes.", tok
            )
        else:
            raise self.fail(
                f"unknown identifier {head!r}; use metrics.<key>, params.<key>, tags.<key> or "
                f"attributes.<name> ({', '.join(STRING_ATTRIBUTES + NUMERIC_ATTRIBUTES)})",
                tok,
            )
        if kind == "attributes":
            key = _ATTR_ALIASES.get(key, key)
            if key not in STRING_ATTRIBUTES and key not in NUMERIC_ATTRIBUTES:
                raise self.fail(f"unknown attribute {key!r}", tok)
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
        numeric = kind == "metrics" or (kind == "attributes" and key in NUMERIC_ATTRIBUTES)
        allowed = _NUMERIC_OPS if numeric else _STRING_OPS
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


def parse_filter(text: str | None) -> Node | None:
    """The AST of a filter string (None for an empty filter)."""
    return _Parser(text or "").parse()


def parse_order_by(clauses: list[str] | None) -> list[OrderKey]:
    """``["metrics.auc DESC", "params.depth"]`` -> order keys (ASC by default)."""
    out = []
    for clause in clauses or []:
        p = _Parser(clause)
        kind, key, _ = p.identifier()
        ascending = True
        if p.keyword("DESC"):
            ascending = False
        else:
            p.keyword("ASC")
        if p.peek() is not None:
            raise p.fail("expected ASC, DESC or the end of the order_by clause")
        out.append(OrderKey(kind, _ATTR_ALIASES.get(key, key), ascending))
    return out


def referenced(node: Node | None) -> set[tuple[str, str]]:
    """(kind, key) pairs a filter reads."""
    if node is None:
        return set()
    if isinstance(node, Comparison):
        return {(node.kind, node.key)}
    return set().union(*(referenced(n) for n in node.items))
