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


DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me"


def secret_key(debug: bool, data_dir, embedded: bool) -> str:
    """DJANGO_SECRET_KEY; without it, the development key under DEBUG, else (`embedded`: one machine on SQLite) a
    random key made once into `data_dir`/secret-key (mode 0600) and read from there after.

    Raises ImproperlyConfigured for the development key with DEBUG off, or for no key off the embedded default
    (hosts that share a database must share one key).
    """
    import secrets
    from pathlib import Path

    given = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if given:
        if given == DEVELOPMENT_SECRET_KEY and not debug:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY is the development key, known to everyone: set a secret "
                                       "one (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)")
        return given
    if debug:
        return DEVELOPMENT_SECRET_KEY
    if not embedded:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is not set: every web and worker host needs the same secret "
                                   "key (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)")
    path = Path(data_dir) / "secret-key"
    if not path.exists():  # written whole under another name, then linked: a racing process reads a whole key
        staged = Path(data_dir) / f".secret-key.{os.getpid()}"
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as stream:
            stream.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(staged, path)
        except FileExistsError:
            pass
        finally:
            staged.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it to make a new one")
    return key
