"""The API's JSON parser: REST framework's, with the nesting depth limited.

A body of 100,000 nested brackets made the standard parser exhaust Python's recursion limit
(a 500); this one answers 400 like any other malformed body. It is the only JSON parser the
API uses (the REST_FRAMEWORK setting and every view's `parser_classes`).
"""

from __future__ import annotations

import codecs

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from governance.inputs import BadInput, json_document


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json_document(text)
        except BadInput as error:
            raise ParseError(error.message) from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
