"""``lakehouse.exceptions``: MLflow's exception names over lakehouse's one error tree.

``MlflowException`` *is* :class:`~lakehouse.errors.LakehouseError`, so
``except MlflowException`` catches every error lakehouse raises on purpose. MLflow's
error-code names are kept as strings for code that compares ``error_code``. Example::

    from lakehouse.exceptions import MlflowException
    try:
        lh.get_run("nope")
    except MlflowException as err:
        print(err)
"""

from __future__ import annotations

from lakehouse.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    LakehouseError,
    NotFoundError,
)

__all__ = [
    "INVALID_PARAMETER_VALUE",
    "RESOURCE_ALREADY_EXISTS",
    "RESOURCE_DOES_NOT_EXIST",
    "MlflowException",
    "RestException",
    "error_code",
]

MlflowException = LakehouseError
# Nothing here speaks REST: every error is raised in process, so MLflow's REST error is
# the same root (code catching it keeps working).
RestException = LakehouseError

INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
_INTERNAL_ERROR = "INTERNAL_ERROR"


def error_code(error: BaseException) -> str:
    """MLflow's ``error_code`` string for a lakehouse error.

    Example::

        error_code(lh.NotFoundError("x"))  # 'RESOURCE_DOES_NOT_EXIST'
    """
    if isinstance(error, NotFoundError):
        return RESOURCE_DOES_NOT_EXIST
    if isinstance(error, AlreadyExistsError):
        return RESOURCE_ALREADY_EXISTS
    if isinstance(error, ValueError) and isinstance(error, LakehouseError | InvalidArgumentError):
        return INVALID_PARAMETER_VALUE
    return _INTERNAL_ERROR
