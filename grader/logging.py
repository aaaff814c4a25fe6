"""Log lines carry their `extra=` fields (submission id, function, status, timings): as JSON objects, one per line
(GRADER_LOG_FORMAT=json, the default), or as `key=value` pairs after the message (plain)."""
import json
import logging
from datetime import datetime, timezone

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "extra_fields"}


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class ExtraFieldsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.extra_fields = " ".join(f"{k}={v}" for k, v in sorted(_extras(record).items()))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the extra fields (a
    submission's id under "submission"), and the exception's traceback under "exception"."""

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)
