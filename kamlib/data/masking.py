"""Connection URLs and driver messages made safe to print: passwords become ``***``."""

from __future__ import annotations

import re

__all__ = ["mask_url", "mask_secrets"]


def mask_url(url: str) -> str:
    """A connection URL with its password replaced by ``***``, safe to print.

    Examples
    --------
    >>> mask_url("postgres://kam:s3cret@db.local:5432/crm")
    'postgres://kam:***@db.local:5432/crm'
    >>> mask_url("sqlite:///crm.db")
    'sqlite:///crm.db'
    """
    return re.sub(r"(?<=://)([^/@:]*):[^/@]*@", r"\1:***@", url)


def mask_secrets(text: str, url: str | None) -> str:
    """``text`` (e.g. a driver's error message) with ``url``'s password masked wherever it
    appears, alone or inside a URL.

    Examples
    --------
    >>> mask_secrets("login failed for kam:pw@db (password pw)", "postgres://kam:pw@db/crm")
    'login failed for kam:***@db (password ***)'
    """
    from urllib.parse import unquote, urlsplit

    text = mask_url(text)
    try:
        password = urlsplit(url or "").password
    except ValueError:
        password = None
    for secret in {password, unquote(password or "")} - {None, ""}:
        text = text.replace(secret, "***")
    return text
