"""Reading submissions into a `Report`: files sniffed and bounded (workbook.py,
package.py), cells located through the template's anchors (anchors.py) or by the
statutory labels (labels.py, by_labels.py), values judged by the policy of values.py
(reader.py)."""

from .reader import Source, locate, read_report, read_source

__all__ = ["Source", "locate", "read_report", "read_source"]
