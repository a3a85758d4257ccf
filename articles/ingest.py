"""Turn a scraped or pasted news page (plain text) into the parts of a story.

Rules, not a template of one page: lines that are site chrome are dropped, a paragraph the
scraper repeated is kept once, and an "Analysis box by NAME, JOB TITLE" section becomes a box
placed after the paragraph it followed.
"""

import re
from dataclasses import dataclass, field

CHROME_PATTERNS = [
    r"subscribe( to)?( us| now| to our newsletter)?",
    r"sign up( for (our|the) newsletter)?",
    r"(header|footer|sidebar|top|bottom)? ?ads?( here)?",
    r"advertisement",
    r"\d+px transparent line",
    r"post a comment",
    r"leave a (comment|reply)",
    r"share( this)?( article| story)?( on \w+)?",
    r"(related|more|recommended) (stories|articles|news)",
    r"skip to (main )?content",
    r"image (source|caption)",
]
CHROME = re.compile(r"^\s*(?:" + "|".join(CHROME_PATTERNS) + r")\s*[.:!]?\s*$", re.IGNORECASE)
ANALYSIS_HEADING = re.compile(
    r"^\s*analysis(?: box)? by (?P<name>[^,]+?)\s*,\s*(?P<job_title>.+?)\s*$", re.IGNORECASE
)


@dataclass
class ParsedBox:
    author_name: str
    job_title: str
    after_paragraph: int
    paragraphs: list = field(default_factory=list)


@dataclass
class ParsedStory:
    headline: str
    standfirst: str
    paragraphs: list
    boxes: list
    dropped: list


class IngestError(ValueError):
    pass


def parse_story(text):
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    dropped, kept = [], []
    for line in lines:
        if CHROME.match(line):
            dropped.append(("chrome", line))
        elif kept and kept[-1] == line:
            dropped.append(("repeated", line))
        else:
            kept.append(line)
    if not kept:
        raise IngestError("No text found: the page has no headline or paragraphs.")

    headline, *rest = kept
    paragraphs, boxes, seen = [], [], set()
    current_box = None
    for line in rest:
        heading = ANALYSIS_HEADING.match(line)
        if heading:
            current_box = ParsedBox(heading["name"], heading["job_title"], len(paragraphs))
            boxes.append(current_box)
            continue
        if line in seen:
            dropped.append(("repeated", line))
            continue
        seen.add(line)
        (current_box.paragraphs if current_box else paragraphs).append(line)
    standfirst = paragraphs.pop(0) if paragraphs else ""
    for box in boxes:
        box.after_paragraph = max(box.after_paragraph - 1, 0) if standfirst else box.after_paragraph
    return ParsedStory(headline, standfirst, paragraphs, boxes, dropped)
