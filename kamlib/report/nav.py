"""The navigation every published page carries: a bar of links and, on long pages, contents.

The bar links the summary (index), every module page, the changes page and the account
plans; the contents list a page's sections (its h2 and h3 headings). Both are added when a
build publishes its pages, when the set of pages is known. Titles are escaped.

Examples
--------
>>> mods = [{"name": "10_c", "title": "Concentration", "html": "10_c.html"},
...         {"name": "plans", "title": "Account plans", "html": "plans/index.html"}]
>>> bar = navigation_html(mods, current="10_c")
>>> 'aria-current="page">Concentration</a>' in bar, 'href="plans/index.html"' in bar
(True, True)
"""

from __future__ import annotations

import html
import re

__all__ = ["navigation_html", "contents_html", "with_navigation", "MIN_SECTIONS"]

MIN_SECTIONS = 4  # a page with fewer sections is short enough to read without contents
_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
_CSS = """<style>
nav.kamkit-nav, nav.kamkit-toc { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
nav.kamkit-nav { display: flex; flex-wrap: wrap; gap: .2rem .9rem; padding: .5rem 0;
  margin-bottom: 1rem; border-bottom: 1px solid #d5d8dd; font-size: .9rem; }
nav.kamkit-nav a { color: #1f5f99; } nav.kamkit-nav a[aria-current] { color: #222;
  font-weight: 600; text-decoration: none; }
nav.kamkit-toc { font-size: .9rem; margin: .5rem 0 1.5rem; } nav.kamkit-toc ul { margin: .2rem 0;
  padding-left: 1.3rem; columns: 2 18rem; } nav.kamkit-toc li { break-inside: avoid; }
nav.kamkit-toc li.sub { margin-left: 1.2rem; list-style: circle; }
@media print { nav.kamkit-nav, nav.kamkit-toc { display: none; } }
</style>"""


def navigation_html(modules: list[dict], current: str = "") -> str:
    """The bar: summary, each module with a page, what changed, account plans."""
    links = [("index.html", "Summary", current == "index")]
    plans = None
    for m in modules:
        page = m.get("html") or ""
        if m.get("name") == "plans":
            plans = page or None
        elif page and "/" not in page:
            links.append((page, m.get("title") or m.get("name", ""), m.get("name") == current))
    links.append(("changes.html", "What changed", current == "changes"))
    if plans:
        links.append((plans, "Account plans", False))
    items = "".join(f'<a href="{html.escape(href)}"'
                    f'{" aria-current=" + chr(34) + "page" + chr(34) if here else ""}>'
                    f"{html.escape(title)}</a>" for href, title, here in links)
    return f'<nav class="kamkit-nav" aria-label="Reports">{items}</nav>'


def contents_html(page: str) -> str:
    """The page's contents (h2 and h3 headings, h3 indented), or "" for a short page."""
    found = [(level, anchor, _TAG.sub("", text).replace("¶", "").strip())
             for level, anchor, text in _HEADING.findall(page)]
    found = [f for f in found if f[2] and f[2] != "About this run"]
    if len(found) < MIN_SECTIONS:
        return ""
    items = "".join(f'<li{" class=" + chr(34) + "sub" + chr(34) if level == "3" else ""}>'
                    f'<a href="#{html.escape(anchor)}">{html.escape(html.unescape(text))}</a></li>'
                    for level, anchor, text in found)
    return f'<nav class="kamkit-toc" aria-label="Contents"><b>On this page</b><ul>{items}</ul></nav>'


def with_navigation(page: str, modules: list[dict], current: str) -> str:
    """``page`` with the bar at the top of its ``<main>`` (or body) and the contents after its
    first h1; a page that has them already is returned as it is.

    >>> p = "<html><head></head><body><main><h1>T</h1><p>x</p></main></body></html>"
    >>> out = with_navigation(p, [], "x")
    >>> out.index('class="kamkit-nav"') < out.index("<h1>"), with_navigation(out, [], "x") == out
    (True, True)
    """
    if 'class="kamkit-nav"' in page:
        return page
    bar = navigation_html(modules, current)
    page = page.replace("</head>", _CSS + "</head>", 1)
    for opening in ("<main>", "<body>"):
        if opening in page:
            page = page.replace(opening, opening + bar, 1)
            break
    toc = contents_html(page)
    end = page.find("</h1>")
    if toc and end >= 0:
        page = page[:end + 5] + toc + page[end + 5:]
    return page
