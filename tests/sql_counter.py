"""Counts the SQL statements Tortoise sends, from its debug log of each query."""

from __future__ import annotations

import logging
from types import TracebackType

QUERY_LOG_FORMAT = "%s: %s"


class SqlCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []
        self._logger = logging.getLogger("tortoise.db_client")
        self._previous_level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == QUERY_LOG_FORMAT and record.args:
            self.statements.append(str(record.args[0]))

    def reset(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> SqlCounter:
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._previous_level)
