"""Spark SQL over the namespace, with errors a user can act on.

Every catalog of the root is a Spark catalog (``io.lakehouse.LakehouseCatalog``,
registered by :func:`lakehouse.spark.spark`), so plain ``spark.sql`` and
``spark.table`` resolve ``catalog.schema.table``. :func:`sql` is ``spark.sql``
in that session, plus two things plain Spark cannot do:

- it registers catalogs created since the last :func:`lakehouse.spark.spark`
  call, also by another process, before it runs the query;
- it turns Spark's errors for lakehouse's rules into lakehouse errors: an
  unknown catalog (Spark resolves it as a schema of ``spark_catalog`` and says
  ``REQUIRES_SINGLE_PART_NAMESPACE``) becomes :class:`NotFoundError` naming the
  catalog and the known ones; a name against the rule becomes
  :class:`InvalidNameError` and a write into ``system`` :class:`ReservedNameError`,
  with the same text as the Python API. Unknown schemas and tables keep Spark's
  own ``TABLE_OR_VIEW_NOT_FOUND``, which already names ``catalog.schema.table``.

Example::

    import lakehouse as lh
    lh.sql("SELECT customer_id, count(*) AS orders FROM main.ml.orders GROUP BY customer_id")
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lakehouse.catalog.names import split_parts
from lakehouse.catalog.namespace import _require_catalog
from lakehouse.errors import InvalidNameError, LakehouseError, ReservedNameError
from lakehouse.spark import spark as get_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["sql", "translate_error"]

_QUOTED = re.compile(r"`((?:[^`]|``)*)`")
_PLUGIN_INVALID_NAME = re.compile(r"invalid name .*?; for example '[a-z_.]+'\.")
_PLUGIN_RESERVED = re.compile(
    r"cannot [^\n]*?: the 'system' catalog is reserved .*?such as 'main'\."
)
_CATALOG_NOT_FOUND = re.compile(r"\[CATALOG_NOT_FOUND\] The catalog `((?:[^`]|``)*)`")


def _quoted_parts(text: str) -> list[str]:
    return [p.replace("``", "`") for p in _QUOTED.findall(text)]


def _unresolved_name(exc: Exception) -> list[str] | None:
    """The name's parts when Spark failed because its catalog is not registered."""
    condition = getattr(exc, "getCondition", lambda: None)()
    params = getattr(exc, "getMessageParameters", lambda: None)() or {}
    if condition == "REQUIRES_SINGLE_PART_NAMESPACE":  # SELECT/CREATE ... <unknown>.s.t
        return _quoted_parts(params.get("identifier", ""))
    if condition == "_LEGACY_ERROR_TEMP_1126":  # SHOW TABLES IN <unknown>.s
        return str(params.get("catalog", "")).split(".")
    if condition == "_LEGACY_ERROR_TEMP_1310":  # df.write.saveAsTable("<unknown>.s.t")
        return str(params.get("quote", "")).split(".")
    if condition == "SCHEMA_NOT_FOUND":  # USE <unknown>.s, resolved in spark_catalog
        parts = _quoted_parts(params.get("schemaName", ""))
        return parts[1:] if len(parts) > 2 and parts[0] == "spark_catalog" else None
    match = _CATALOG_NOT_FOUND.search(str(exc))  # SET CATALOG <unknown>
    return [match.group(1).replace("``", "`")] if match else None


def _quote(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_]+", part) else "`" + part.replace("`", "``") + "`"


def translate_error(exc: Exception) -> LakehouseError | None:
    """The lakehouse error for a Spark error about the namespace's rules, else ``None``.

    An unknown catalog gives :class:`NotFoundError` (or :class:`InvalidNameError` when
    the name breaks the rule, e.g. ``MAIN.ml.t``); the catalog plugin's name and
    ``system`` errors give :class:`InvalidNameError` and :class:`ReservedNameError`.

    Example::

        try:
            spark.table("sales.ml.orders")
        except Exception as exc:
            raise (lh.translate_error(exc) or exc) from exc
    """
    parts = _unresolved_name(exc)
    if parts:
        try:
            split_parts(".".join(map(_quote, parts)), min(len(parts), 3))
            if parts[0] != parts[0].lower():  # Spark finds catalogs by exact, stored name
                return InvalidNameError(
                    f"invalid name {'.'.join(map(_quote, parts))!r}: Spark SQL finds a catalog "
                    f"by its stored name, which is lowercase; write {parts[0].lower()!r}"
                )
            _require_catalog(parts[0])
        except LakehouseError as error:
            return error
        return None
    # The plugin's own texts, also when Spark wraps them (ALTER TABLE: UNSUPPORTED_TABLE_CHANGE).
    found = _PLUGIN_INVALID_NAME.search(str(exc))
    if found:
        return InvalidNameError(found.group(0))
    found = _PLUGIN_RESERVED.search(str(exc))
    return ReservedNameError(found.group(0)) if found else None


def sql(query: str, args: dict[str, Any] | list[Any] | None = None, **kwargs: Any) -> DataFrame:
    """``spark.sql(query, args, **kwargs)`` in the lakehouse session, with lakehouse errors.

    Example::

        lh.sql("CREATE TABLE main.ml.scores AS SELECT * FROM main.ml.features")
    """
    session = get_spark()  # registers every catalog folder, also ones made by other processes
    try:
        return session.sql(query, args, **kwargs)
    except Exception as exc:
        error = translate_error(exc)
        if error is None:
            raise
        raise error from exc
