"""The one error tree of lakehouse.

Every error a user can act on is a :class:`LakehouseError`; each also subclasses
the built-in exception that fits, so ``except ValueError`` keeps working::

    LakehouseError
    ├── InvalidNameError            (ValueError)    a name breaks the namespace rule
    ├── InvalidArgumentError        (ValueError)    any other bad argument
    │   └── SchemaMismatchError                     model input does not match its signature
    ├── ConfigError                 (ValueError)    bad configuration value or key
    ├── InvalidModelError           (ValueError)    a model package with a missing or corrupt
    │                                               MLmodel, or of a flavor lakehouse cannot load
    ├── NotFoundError               (LookupError)   a catalog, schema, table, run... is absent
    │   └── TableLocationMissingError                a table's Delta folder was deleted
    ├── AlreadyExistsError          (FileExistsError) exclusive creation of something present
    ├── NotEmptyError               (RuntimeError)  drop of a non-empty catalog or schema
    ├── ReservedNameError           (PermissionError) writes into the reserved ``system`` catalog
    ├── CommitConflictError         (RuntimeError)  a Delta commit kept conflicting after retries
    ├── InvalidStateError           (RuntimeError)  the object's state forbids the call (e.g. an
    │                                               alias points to the version to delete)
    └── SparkSetupError             (RuntimeError)  a Spark session that lacks what Delta needs

Messages say what was wrong, what was expected, and what to do.
"""

from __future__ import annotations

__all__ = [
    "AlreadyExistsError",
    "CommitConflictError",
    "ConfigError",
    "InvalidArgumentError",
    "InvalidModelError",
    "InvalidNameError",
    "InvalidStateError",
    "LakehouseError",
    "NotEmptyError",
    "NotFoundError",
    "ReservedNameError",
    "SchemaMismatchError",
    "SparkSetupError",
    "TableLocationMissingError",
]


class LakehouseError(Exception):
    """Base of every error raised on purpose by lakehouse."""


class InvalidNameError(LakehouseError, ValueError):
    """A name does not follow the ``catalog.schema.name`` rule."""


class InvalidArgumentError(LakehouseError, ValueError):
    """An argument has a value the call cannot accept."""


class SchemaMismatchError(InvalidArgumentError):
    """Data passed to a model does not match the model's signature (column, type, shape)."""


class InvalidModelError(LakehouseError, ValueError):
    """A model package cannot be read: no or a corrupt ``MLmodel`` file, or an unknown flavor."""


class ConfigError(LakehouseError, ValueError):
    """A configuration key is unknown or its value is invalid."""


class NotFoundError(LakehouseError, LookupError):
    """Something that was asked for does not exist."""


class TableLocationMissingError(NotFoundError):
    """A table's folder exists in the namespace but holds no Delta log."""


class AlreadyExistsError(LakehouseError, FileExistsError):
    """Exclusive creation of something that already exists."""


class NotEmptyError(LakehouseError, RuntimeError):
    """Dropping a catalog or schema that still holds objects, without ``cascade=True``."""


class ReservedNameError(LakehouseError, PermissionError):
    """A write into the reserved ``system`` catalog."""


class CommitConflictError(LakehouseError, RuntimeError):
    """A Delta commit kept conflicting with concurrent writers after all retries."""


class InvalidStateError(LakehouseError, RuntimeError):
    """The call is valid, but the current state of its target does not allow it."""


class SparkSetupError(LakehouseError, RuntimeError):
    """The Spark session lacks the configuration or jars that lakehouse needs."""
