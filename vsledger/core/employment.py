"""The employment codes a roster keeps and the words offices write for them.

Its own small module: the message catalogue shows these words, and it is loaded for `--help`,
which must not pull in the models.
"""

from __future__ import annotations

EMPLOYMENT_WORDS: dict[str, tuple[str, ...]] = {
    "staff": ("在编", "正式", "编内", "在职", "公务员", "事业编", "职工", "staff"),
    "contract": ("聘用", "合同", "编外", "临聘", "劳务", "非在编", "不在编", "非编", "编制外", "非正式", "contract"),
    "retired": ("退休", "离退休", "retired"),
    "resident": ("居民", "群众", "村民", "resident"),
    "student": ("学生", "student"),
    "other": ("其他", "其它", "other"),
}
"""Each employment code with the words offices write for it; the first is how we show it."""
