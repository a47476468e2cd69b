"""Reading submissions into a `Report`: files sniffed and bounded (workbook.py,
package.py), cells located through the template's anchors (anchors.py) or by the
statutory labels (labels.py, by_labels.py), values judged by the policy of values.py
(reader.py). Word documents, web pages and PDF (documents.py and the modules it names)
feed their tables to the same label locator (grid.py, document.py) and their text to
doctext.py."""

from .reader import Source, locate, read_bytes, read_report, read_source

__all__ = ["Source", "locate", "read_report", "read_bytes", "read_source"]
