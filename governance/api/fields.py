"""Serializer fields that parse through `governance.inputs` (the one way of reading input)."""

from __future__ import annotations

from datetime import datetime

from rest_framework import serializers

from governance.inputs import BadInput, parse_moment


class MomentField(serializers.Field):
    """An ISO-8601 date-time (or a date: its local midnight) in the representable range."""

    def to_internal_value(self, data: object) -> datetime:
        if not isinstance(data, str):
            raise serializers.ValidationError(parse_error_message())
        try:
            return parse_moment(data)
        except BadInput as error:
            raise serializers.ValidationError(error.message) from None

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


def parse_error_message() -> str:
    try:
        parse_moment("")
    except BadInput as error:
        return error.message
    raise AssertionError  # pragma: no cover
