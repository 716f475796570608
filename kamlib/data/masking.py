"""Connection URLs and driver messages made safe to print: passwords become ``***``.

A driver takes a password in more than one place: the userinfo of the URL (``user:pass@``,
whatever characters it holds, percent-encoded or not) and query or keyword parameters
(``?password=...``, ``&pwd=...``, ``;Password=...``, tokens and keys). Every one of them is
masked, in the URL and wherever its value shows up in a message.

Examples
--------
>>> mask_url("postgresql://db.example.com/crm?user=kam&password=TopSecret42")
'postgresql://db.example.com/crm?user=kam&password=***'
>>> mask_url("postgres://kam:p@ss/w:rd@db.local/crm")
'postgres://kam:***@db.local/crm'
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["mask_url", "mask_secrets", "url_secrets"]

# parameter names that carry a secret, in any driver's spelling (password, PWD, passwd,
# sslpassword, token, access_token, api_key, AccountKey, client_secret, ...)
_SECRET_NAME = r"[A-Za-z_.-]*(?:pass|pwd|secret|token|key|credential)[A-Za-z_.-]*"
_PARAM = re.compile(rf"(?i)(?<![A-Za-z_.-])({_SECRET_NAME})(\s*=\s*)([^&;\s'\"]*)")
_WHOLE_PARAM = re.compile(rf"(?i)(?<![A-Za-z_.-])({_SECRET_NAME})(\s*=\s*)([^&;]*)")  # one URL
_WHOLE = re.compile(r"(?i)([a-z][a-z0-9+.-]*://)(.*)$", re.S)
_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s'\"<>]+)")
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:%_]*$")
_QUERY_NAME = re.compile(r"/[^@]*[?&;][\w.-]+=")  # a query after the path


def _userinfo_end(rest: str) -> int | None:
    """Where the userinfo of ``rest`` (a URL after ``scheme://``) ends: its last ``@`` that is
    followed by a host and not inside the query; None if the URL has no userinfo."""
    for at in (m.start() for m in reversed(list(re.finditer("@", rest)))):
        host = re.split(r"[/?#]", rest[at + 1:], maxsplit=1)[0]
        if _HOST.match(host) and not _QUERY_NAME.search(rest[:at]):
            return at
    return None


def _mask_one(match: re.Match, params: re.Pattern = _PARAM) -> str:
    scheme, rest = match.group(1), match.group(2)
    at = _userinfo_end(rest)
    if at is not None and ":" in rest[:at]:
        rest = rest[:at].split(":", 1)[0] + ":***" + rest[at:]
    return scheme + params.sub(lambda m: m.group(1) + m.group(2) + "***", rest)


def mask_url(url: str) -> str:
    """A connection URL (or any text holding some) with every password replaced by ``***``.

    Examples
    --------
    >>> mask_url("postgres://kam:s3cret@db.local:5432/crm")
    'postgres://kam:***@db.local:5432/crm'
    >>> mask_url("mssql://db/crm;UID=kam;PWD=x%40y")
    'mssql://db/crm;UID=kam;PWD=***'
    >>> mask_url("sqlite:///crm.db")
    'sqlite:///crm.db'
    """
    whole = _WHOLE.match(url)
    if whole and not re.search(r"(?i)\s[a-z][a-z0-9+.-]*://", whole.group(2)):  # one URL
        return _mask_one(whole, _WHOLE_PARAM)
    return _URL.sub(_mask_one, url)


def url_secrets(url: str | None) -> set[str]:
    """The secrets in ``url`` (userinfo password, password-like parameters), as written and
    percent-decoded.

    >>> sorted(url_secrets("postgres://kam:a%40b@h/db?sslpassword=zz"))
    ['a%40b', 'a@b', 'zz']
    """
    found: set[str] = set()
    whole = _WHOLE.match(url or "")
    for match in [whole] if whole else []:
        rest = match.group(2)
        at = _userinfo_end(rest)
        if at is not None and ":" in rest[:at]:
            found.add(rest[:at].split(":", 1)[1])
        found.update(m.group(3) for m in _WHOLE_PARAM.finditer(rest))
    found |= {unquote(s) for s in found}
    return {s for s in found if s and s != "***"}


def mask_secrets(text: str, url: str | None) -> str:
    """``text`` (e.g. a driver's error message) with ``url``'s passwords masked wherever
    they appear, alone or inside a URL.

    Examples
    --------
    >>> mask_secrets("login failed for kam:pw@db (password pw)", "postgres://kam:pw@db/crm")
    'login failed for kam:***@db (password ***)'
    >>> mask_secrets("bad token TopSecret42", "postgres://h/db?password=TopSecret42")
    'bad token ***'
    """
    text = mask_url(text)
    for secret in sorted(url_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
