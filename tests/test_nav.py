"""Every published page carries the bar of links; long pages their contents."""

from kamlib.report.nav import MIN_SECTIONS, contents_html, navigation_html, with_navigation

MODULES = [{"name": "10_c", "title": "Concentration <&>", "html": "10_c.html"},
           {"name": "13_p", "title": "Profitability", "html": None},  # skipped: no page
           {"name": "plans", "title": "Account plans", "html": "plans/index.html"}]


def test_bar_links_every_page_escaped_and_marks_the_current():
    bar = navigation_html(MODULES, current="10_c")
    assert bar.count("<a ") == 4  # summary, the one module with a page, changes, plans
    assert 'href="index.html">Summary' in bar and "Concentration &lt;&amp;&gt;" in bar
    assert 'aria-current="page">Concentration' in bar and "Profitability" not in bar
    assert "plans/index.html" not in navigation_html(MODULES[:2])


def test_contents_only_for_long_pages_h3_indented():
    heads = "".join(f'<h{2 if i % 2 else 3} id="s{i}">Part {i}<a class="anchor-link" '
                    f'href="#s{i}">¶</a></h{2 if i % 2 else 3}>' for i in range(MIN_SECTIONS))
    toc = contents_html(heads)
    assert toc.count("<li") == MIN_SECTIONS and 'href="#s1">Part 1</a>' in toc
    assert toc.count('class="sub"') == MIN_SECTIONS // 2 and "¶" not in toc
    assert contents_html(heads.split("<h", 2)[1]) == ""


def test_built_pages_link_back_and_long_ones_have_contents(site_twice):
    out, _, _ = site_twice
    pages = [p for p in out.glob("*.html") if p.name != "index.html"]
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert with_navigation(text, [], "") == text  # already there, once
        nav = text.split('class="kamkit-nav"')[1].split("</nav>")[0]
        assert 'href="index.html"' in nav and 'href="changes.html"' in nav, page.name
    assert 'class="kamkit-toc"' in (out / "12_profiles.html").read_text(encoding="utf-8")
