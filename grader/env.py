"""Settings from the environment: small readers that reject nonsense rather than guess."""
from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}; expected one of {', '.join(choices)}")
    return value


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below the minimum {minimum}")
    return value


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = env_float(name, default, minimum)
    if value != int(value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number")
    return int(value)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}; expected true or false")


RATE_UNITS = {"s": 1, "sec": 1, "min": 60, "h": 3600, "hour": 3600, "day": 86400}


def env_rate(name: str, default: str) -> tuple[int, int] | None:
    """A rate written `<count>/<unit>` (units s, min, h, day; e.g. "10/min") as (count, window in seconds);
    "0" or "off": no limit (None)."""
    raw = os.environ.get(name, default).strip().lower()
    if raw in {"0", "off", "none", ""}:
        return None
    count, _, unit = raw.partition("/")
    if not count.strip().isdigit() or int(count) < 1 or unit.strip() not in RATE_UNITS:
        raise ImproperlyConfigured(f"{name}={raw!r}; expected <count>/<unit> with unit one of "
                                   f"{', '.join(RATE_UNITS)}, or off")
    return int(count), RATE_UNITS[unit.strip()]
