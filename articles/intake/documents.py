"""Text from an uploaded file: plain text, a web page (the article only, without the site's navigation, ads and
comments: trafilatura) or a Word document (python-docx). Paragraphs are separated by a blank line, as bodies are.
"""

import io
import re
import zipfile

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = (".txt", ".html", ".htm", ".docx")


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file is not text in UTF-8 or Windows-1252.")


def _paragraphs(text: str) -> str:
    """One blank line between paragraphs, no trailing spaces, Unix line ends."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> str:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text:
        raise ValidationError("No article text was found in this page.")
    # trafilatura puts one paragraph per line.
    return _paragraphs("\n\n".join(line for line in text.split("\n") if line.strip()))


def docx_to_text(raw: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ValidationError("This is not a readable .docx file.") from error
    return _paragraphs("\n\n".join(paragraph.text for paragraph in document.paragraphs if paragraph.text.strip()))


def text_from_upload(upload) -> str:
    """The body text of an uploaded .txt, .html or .docx file; ValidationError saying why when it cannot be read."""
    name = (upload.name or "").lower()
    if not name.endswith(EXTENSIONS):
        raise ValidationError("Upload a .txt, .html or .docx file.")
    if upload.size > MAX_BYTES:
        raise ValidationError("The file is larger than 5 MB.")
    raw = upload.read()
    if name.endswith(".docx"):
        text = docx_to_text(raw)
    elif name.endswith((".html", ".htm")):
        text = html_to_text(_decode(raw))
    else:
        text = _paragraphs(_decode(raw))
    if not text:
        raise ValidationError("The file holds no text.")
    return text
