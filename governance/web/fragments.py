"""Rendered HTML fragments kept per process, for parts of a page that depend on a few inputs.

Django renders a form field through several templates (a select through one per option): the
queue's filter form alone took about a third of the queue page's time. The same inputs give the
same HTML, so a fragment is rendered once per key (everything it depends on: the language, the
values shown, the choices) and kept; the least recently used go beyond `KEPT`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.utils.safestring import SafeString

KEPT = 256

_kept: OrderedDict[Hashable, SafeString] = OrderedDict()
_lock = threading.Lock()


def kept_html(key: Hashable, render: Callable[[], SafeString]) -> SafeString:
    """The fragment for `key`, rendered by `render` the first time (or again once dropped)."""
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = render()
    with _lock:
        _kept[key] = html
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return html


def forget() -> None:
    """Drop every kept fragment (tests)."""
    with _lock:
        _kept.clear()
