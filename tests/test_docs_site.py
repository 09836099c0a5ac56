"""The README is the front door and docs/ the reference: the README stays short and
keeps its two commands byte for byte (CI runs the second one), and every link of the
README and of the docs pages reaches an existing page, anchor or image. CI also builds
the site with ``mkdocs build --strict``; these checks run without MkDocs installed."""

from __future__ import annotations

import re
import unicodedata

import pytest

from conftest import TESTS_DIR

ROOT = TESTS_DIR.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

#: The README's two commands, exactly as they have always read (issue 19: "the two
#: commands exactly as today"); .ci/run and the GitHub workflow run the second.
BUILD = ("```bash\npython3 -m venv .venv && .venv/bin/pip install -e . && "
         ".venv/bin/coverbook build\n```")
TEST = ("```bash\npython3 -m venv .venv && .venv/bin/pip install -e '.[test]' && "
        ".venv/bin/python -m pytest\n```")

LINK = re.compile(r"!?\[(?:[^\]`]|`[^`]*`)*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """The anchor Python-Markdown's ``toc`` extension (MkDocs' default) gives a heading:
    inline markup dropped, NFKD to ASCII, punctuation removed, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").replace("*", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(page) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M)}


def links(page) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return [m.group(1) for m in LINK.finditer(text)
            if not re.match(r"[a-z]+:", m.group(1))]  # http(s)/mailto: not checked here


def pages():
    return sorted(DOCS.glob("*.md"))


def test_slug_matches_python_markdowns_for_the_headings_linked_to():
    # Values Python-Markdown 3.x's toc.slugify gives (as `mkdocs build` renders them).
    assert slug("`=PE(100,5)` shows `#NAME?` in your own workbook") == \
        "pe1005-shows-name-in-your-own-workbook"
    assert slug("Saved workbooks that use the add-in's UDFs") == \
        "saved-workbooks-that-use-the-add-ins-udfs"
    assert slug("Windows: set-up checklist") == "windows-set-up-checklist"


def test_readme_is_a_front_door_with_the_two_commands_as_before():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert text.count(BUILD) == 1 and text.count(TEST) == 1
    # The first screen: what it is, the table, then the two commands.
    assert text.index("| 代码 Code |") < text.index(BUILD) < text.index(TEST)
    assert "coverbook new my-coverage" in text


def test_ci_runs_the_readme_test_command():
    command = TEST.splitlines()[1].split(" && ", 1)[1]  # after the venv is created
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", [README, *pages()], ids=lambda p: p.name)
def test_every_link_reaches_a_file_and_anchor(page):
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.is_file():
            broken.append(f"{target}: no file {dest.relative_to(ROOT)}")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading gives #{anchor}")
    assert broken == []


def test_mkdocs_nav_lists_every_docs_page():
    nav = re.findall(r":\s*(\S+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"),
                     re.M)
    assert sorted(nav) == sorted(p.name for p in pages())


def test_the_readme_links_into_the_docs_not_to_its_own_old_sections():
    # The reference moved: no link may point at a README heading that is gone.
    targets = links(README)
    assert not [t for t in targets if t.startswith("#")]
    for name in ("excel-setup.md", "troubleshooting.md", "new-project.md", "testing.md"):
        assert f"docs/{name}" in " ".join(targets)
