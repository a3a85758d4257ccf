"""Turn a scraped or pasted news page (plain text) into the parts of a story.

Rules, not a template of one page. Each rule below is data: what it drops and why, so the
report can say. Lines that are site chrome (navigation, ads, share prompts, subscribe and
comment calls, spacer captions) are dropped, as is a "related stories" block with its list of
links; the headline is the first line that reads like one; a paragraph the scraper repeated is
kept once; "By NAME" before the story is its byline; and an "Analysis box by NAME, JOB TITLE"
section becomes a box placed after the paragraph it followed.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import escape


@dataclass(frozen=True)
class Rule:
    reason: str
    pattern: str

    def matches(self, line):
        return re.fullmatch(self.pattern, line, re.IGNORECASE) is not None


SEPARATOR = r"\s*[|›»>·•/]\s*"
NAV_ITEM = r"[\w&'’ -]{1,30}"
SOCIAL = r"facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|email|e-mail|messenger"

# A whole line that matches one of these is site chrome. Trailing punctuation is ignored.
CHROME_RULES = [
    Rule("navigation", rf"{NAV_ITEM}(?:{SEPARATOR}{NAV_ITEM}){{2,}}"),
    Rule(
        "navigation",
        r"skip to (?:main )?content|home( ?page)?|menu|main menu|search|log ?in|sign in|"
        r"register|back to top|next (?:article|story)|previous (?:article|story)|"
        r"(?:privacy|cookie) (?:policy|settings|notice)|terms(?: of (?:use|service))?|"
        r"contact us|about us|advertise with us|all rights reserved.*|(?:©|copyright) .{0,80}|"
        r"accessibility help|(?:your|my) account|listen to (?:this|the) (?:article|story)|"
        r"\d+ min(?:ute)?s? read|reading time:? .{1,20}",
    ),
    Rule(
        "advertising",
        r"(?:(?:header|footer|sidebar|top|bottom|in-article|inline) )?(?:ads?|adverts?)"
        r"(?: here)?|advertisement|advertising|sponsored(?: content)?|promoted(?: content)?|"
        r"(?:story|article) continues (?:below|after) (?:this |the )?(?:advert(?:isement)?|ad)|"
        r"continue reading (?:below|the (?:main )?(?:story|article))",
    ),
    Rule(
        "subscribe call",
        r"subscribe(?: to)?(?: us| now| today| here| to our newsletter)?|"
        r"sign up(?: (?:for|to) (?:our|the) newsletter)?(?: now)?|get (?:our|the) newsletter|"
        r"(?:join|follow) us(?: on .{1,20})?",
    ),
    Rule(
        "comment call",
        r"post a comment|leave a (?:comment|reply)|add (?:a|your) comment|comments?|"
        r"\d+ comments?|comments? \(\d+\)|view comments|join the (?:conversation|discussion)|"
        r"no comments(?: yet)?",
    ),
    Rule(
        "share prompt",
        rf"share(?: this)?(?: article| story| post| page)?(?: on (?:{SOCIAL}))?|"
        rf"(?:{SOCIAL})|tweet(?: this)?|copy (?:the )?link|print(?: this)?(?: article| page)?|"
        r"email this(?: article| story)?|save(?: for later)?",
    ),
    Rule(
        "spacer caption",
        r"\d+ ?px(?: transparent| blank)? (?:line|image|gif|spacer)|"
        r"(?:transparent|blank) (?:pixel|line|gif|image|spacer)|spacer(?: image| gif)?|"
        r"[\w-]+\.(?:gif|png|jpe?g|webp)|"
        r"image (?:source|caption)(?:: ?\S+)?|photo: ?|getty images",
    ),
    # Captions and credits of pictures the text import does not bring along.
    Rule(
        "picture caption",
        r"(?:image|media|video) (?:source|caption|credit)[,:] .{1,300}|"
        r"(?:photo(?:graph)?|picture|image)(?: credit)?: .{1,80}",
    ),
    Rule("video link", r"(?:watch|video): .{1,150}|.{1,150}\bvideo,? \d{1,2}:\d{2}(?::\d{2})?"),
    Rule(
        "link to another story",
        r"(?:read more|read also|also read|see also|more on this|related): .{1,150}",
    ),
]

# A heading that opens a block of links to other stories; the titles under it go too.
RELATED_HEADING = Rule(
    "related stories",
    r"(?:related|more|recommended|popular|latest|top|similar) (?:stories|articles|news|"
    r"on this(?: story)?|reads|from \w+)|you (?:may|might) also (?:like|be interested in)|"
    r"read (?:more|next|also)|most (?:read|popular|viewed)|trending(?: now)?|"
    r"more from .{1,30}|also in .{1,30}|related (?:topics|links|content|coverage|reading)|"
    r"top stories|more on this story",
)
ANALYSIS_HEADING = re.compile(
    r"analysis(?: box)? by (?P<name>[^,]+?)\s*,\s*(?P<job_title>.+?)", re.IGNORECASE
)
NAME = r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"
BYLINE = re.compile(
    rf"[Bb]y (?P<names>{NAME}(?:(?:, | and | & ){NAME})*?)(?:\s*,\s*(?P<job_title>[^,]{{2,60}}))?"
)
# A byline on two lines without "By": the name, then the job title on the next line.
BYLINE_NAME = re.compile(NAME)
JOB_TITLE = re.compile(
    r"(?:[\w&'’-]+ ){0,4}(?:correspondent|editor|reporter|writer|columnist|analyst|journalist|"
    r"contributor|producer|commentator|critic|staff)",
    re.IGNORECASE,
)
DATELINE = re.compile(
    r"(?:(?:published|updated|posted)(?: on)?:? )?(?:\w+day,? )?(?:\d{1,2} \w+ \d{4}|"
    r"\w+ \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2})(?:,? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]m)?"
    r"(?: \w{2,5})?)?|"
    r"(?:(?:published|updated|posted):? )?(?:\d+ (?:seconds?|minutes?|mins?|hours?|days?|weeks?) "
    r"ago|just now|yesterday|today)",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?][\"'”’)]?$")


def normalize(line):
    return " ".join(line.split())


def bare(line):
    """The line without the punctuation that chrome often trails (‘Subscribe Us!’, ‘Share:’)."""
    return line.strip(" .:!-–—|»›")


def chrome_reason(line):
    text = bare(line)
    return next((rule.reason for rule in CHROME_RULES if rule.matches(text)), None)


def looks_like_paragraph(line):
    words = len(line.split())
    return words >= 14 or (words >= 6 and SENTENCE_END.search(line) is not None)


def looks_like_headline(line):
    words = len(line.split())
    return 4 <= words <= 30 and len(line) <= 250 and not line.endswith(".")


def byline_people(line):
    """[(name, job title)] from a "By …" line, or None when the line is no byline."""
    match = BYLINE.fullmatch(line)
    if match is None or SENTENCE_END.search(line):  # "By Tuesday, ministers had agreed."
        return None
    names = re.split(r", | and | & ", match["names"])
    job_title = match["job_title"] or ""
    if job_title and not JOB_TITLE.search(job_title) and re.search(r" and | & ", job_title):
        names += re.split(r", | and | & ", job_title)  # "By A, B and C"
        job_title = ""
    return [(name, job_title if len(names) == 1 else "") for name in names]


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
    byline: list = field(default_factory=list)


class IngestError(ValueError):
    pass


LINE_END = re.compile(r"\r\n|\r|\n")


def parse_story(text):
    """Split a page's text into headline, standfirst, paragraphs, boxes and a drop report.

    `dropped` lists (reason, line) for every line left out, in the page's order.
    """
    # Lines end at CR, LF or CRLF only: str.splitlines() also breaks at form feeds, the
    # \x1c-\x1e separators, NEL and U+2028/9, which normalize() reads as spaces.
    lines = [normalize(line) for line in LINE_END.split(text or "")]
    lines = [line for line in lines if line]
    if not lines:
        raise IngestError("The text is empty: paste a story or choose a file with one.")

    # (position in the page, reason, line), so that the report reads in the page's order.
    dropped, kept = [], []
    in_related = False
    for position, line in enumerate(lines):
        if in_related and not looks_like_paragraph(line) and not ANALYSIS_HEADING.fullmatch(line):
            dropped.append((position, chrome_reason(line) or "related stories", line))
            continue
        in_related = False
        if RELATED_HEADING.matches(bare(line)):
            in_related = True
            dropped.append((position, "related stories", line))
        elif reason := chrome_reason(line):
            dropped.append((position, reason, line))
        else:
            kept.append((position, line))

    start = next((i for i, (_, line) in enumerate(kept) if looks_like_headline(line)), None)
    if start is None:
        raise IngestError(
            "No headline found: the first lines of a story should include its headline "
            "(a line of 4 to 30 words that does not end with a full stop)."
        )
    dropped += [(position, "before the headline", line) for position, line in kept[:start]]
    headline, rest = kept[start][1], kept[start + 1 :]

    paragraphs, boxes, byline, seen = [], [], [], {headline}
    current_box = None
    lines = iter(enumerate(rest))
    for index, (position, line) in lines:
        heading = ANALYSIS_HEADING.fullmatch(line)
        if heading:
            current_box = ParsedBox(heading["name"], heading["job_title"], len(paragraphs))
            boxes.append(current_box)
            continue
        if line in seen:
            dropped.append((position, "repeated", line))
            continue
        seen.add(line)
        if DATELINE.fullmatch(line):
            dropped.append((position, "dateline", line))
            continue
        # Bylines sit by the headline: before the story, or just after its standfirst.
        if len(paragraphs) <= 1 and current_box is None:
            if people := byline_people(line):
                byline += people
                continue
            following = rest[index + 1][1] if index + 1 < len(rest) else ""
            if BYLINE_NAME.fullmatch(line) and JOB_TITLE.fullmatch(following):
                byline.append((line, following))
                next(lines)
                continue
        (current_box.paragraphs if current_box else paragraphs).append(line)
    if not paragraphs and not boxes:
        raise IngestError(f"Only a headline was found (“{headline}”): there is no story text.")
    standfirst = paragraphs.pop(0) if paragraphs else ""
    for box in boxes:
        box.after_paragraph = max(box.after_paragraph - 1, 0) if standfirst else box.after_paragraph
    report = [(reason, line) for _, reason, line in sorted(dropped, key=lambda d: d[0])]
    return ParsedStory(headline, standfirst, paragraphs, boxes, report, byline)


def paragraphs_html(paragraphs):
    return "".join(f"<p>{escape(text)}</p>" for text in paragraphs)


def decode_upload(data):
    """Text from an uploaded or read file, refusing what is not text."""
    if not data or not data.strip():
        raise IngestError("The file is empty.")
    if b"\x00" in data[:8192]:
        raise IngestError("This is not a text file (it looks binary). Import plain text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(
            "This file is not UTF-8 text. Save it as plain text (UTF-8) and try again."
        ) from None
