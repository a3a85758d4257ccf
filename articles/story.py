"""Placing analysis boxes inside a story's body, after a given paragraph."""

from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from django.utils.safestring import mark_safe

VOID_ELEMENTS = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col"}


@dataclass
class StoryPart:
    html: str
    boxes: list = field(default_factory=list)


class _ParagraphEnds(HTMLParser):
    """Finds where each top-level <p> of sanitized HTML ends, as character offsets."""

    def __init__(self, source):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0]
        self.line_starts += [i + 1 for i, char in enumerate(source) if char == "\n"]
        self.depth = 0
        self.ends = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_ELEMENTS:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        self.depth = max(self.depth - 1, 0)
        if self.depth == 0 and tag == "p":
            line, column = self.getpos()
            start = self.line_starts[line - 1] + column
            self.ends.append(self.source.index(">", start) + 1)


@lru_cache(maxsize=256)  # a story's body is parsed once per process, not on every page view
def paragraph_ends(html):
    parser = _ParagraphEnds(html)
    parser.feed(html)
    parser.close()
    return tuple(parser.ends)


def count_paragraphs(html):
    return len(paragraph_ends(html or ""))


def split_story(html, boxes):
    """Cut the body into parts, each followed by the boxes placed after it.

    A box placed after paragraph N follows the Nth top-level paragraph; a box with no
    position, or a position past the last paragraph, closes the story.
    """
    html = html or ""
    ends = paragraph_ends(html)
    placed = {}
    for box in boxes:
        n = box.after_paragraph
        cut = len(html) if n is None or n >= len(ends) else (ends[n - 1] if n > 0 else 0)
        placed.setdefault(cut, []).append(box)
    parts, start = [], 0
    for cut in sorted(placed):
        parts.append(StoryPart(mark_safe(html[start:cut]), placed[cut]))  # noqa: S308 - the caller sanitized it
        start = cut
    if start < len(html) or not parts:
        parts.append(StoryPart(mark_safe(html[start:])))  # noqa: S308 - the caller sanitized it
    return parts
