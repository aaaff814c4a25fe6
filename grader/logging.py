"""Log lines carry their `extra=` fields (submission id, function, status, timings)."""
import logging

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "extra_fields"}


class ExtraFieldsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        record.extra_fields = " ".join(f"{k}={v}" for k, v in sorted(extras.items()))
        return True
