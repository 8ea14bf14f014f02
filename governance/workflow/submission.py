"""Filing: a citizen's request, or staff's report of a call or a patrol finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from governance import clock, events
from governance.access import AREA_PERMISSION, Action, Person, area_paths
from governance.answers import clean_answers
from governance.errors import InvalidInput, NotPermitted
from governance.inputs import length_errors
from governance.models import (
    Area,
    Audience,
    Case,
    CaseContact,
    Category,
    Channel,
    EventKind,
    Urgency,
)
from governance.routing import city_for_unrouted, grid_index, validate_point
from governance.workflow.deadlines import warning_time
from governance.workflow.recording import (
    _atomic_with_files,
    _clean_files,
    _record,
    _store_files,
    _text,
)
from governance.working_time import due_time


def clean_contact(contact: dict[str, str] | None) -> dict[str, str]:
    """A reporter's contact: name, phone and e-mail only, stripped."""
    return {
        k: (v or "").strip() for k, v in (contact or {}).items() if k in ("name", "phone", "email")
    }


def contact_errors(*, contact: dict[str, str], anonymous: bool) -> dict[str, list[str]]:
    """Every problem with a reporter's contact at once ("contact.phone", "contact.email",
    "contact.name", and "contact" when an anonymous reporter left no way to reach them).

    The request forms run it in their own validation, so a person sees these next to the other
    fields' errors in one round, not after correcting those.
    """
    errors: dict[str, list[str]] = {}
    if contact.get("email"):
        try:
            validate_email(contact["email"])
        except ValidationError:
            errors["contact.email"] = [_("Enter a valid e-mail address.")]
    if contact.get("phone") and not contact["phone"].lstrip("+").replace(" ", "").isdigit():
        errors["contact.phone"] = [_("Enter a phone number of digits.")]
    if anonymous and not (contact.get("phone") or contact.get("email")):
        errors["contact"] = [_("Leave a phone number or e-mail so we can reach you.")]
    for name, messages in length_errors(CaseContact, contact, prefix="contact.").items():
        errors.setdefault(name, messages)
    return errors


# Channels by which staff file a case for someone else (a caller) or from their own patrol.
STAFF_CHANNELS = frozenset({Channel.HOTLINE, Channel.PATROL})
# Channels whose cases have no reporter: staff filing for a caller or from patrol, and the
# sensors (filed by the platform's own account for a sensor's alarm).
NO_REPORTER_CHANNELS = STAFF_CHANNELS | {Channel.SENSOR}


def submit_case(
    *,
    actor: Person,
    category: Category,
    description: str,
    lon: object,
    lat: object,
    address: str = "",
    channel: str = Channel.WEB,
    urgency: str = Urgency.GENERAL,
    answers: dict[str, Any] | None = None,
    contact: dict[str, str] | None = None,
    files: Sequence[UploadedFile] = (),
    locate: bool = True,
    contact_language: str | None = None,
) -> Case:
    """A citizen's request, or an officer's report from patrol or a hotline call.

    Signed-in citizens report as themselves; anonymous ones leave a phone or e-mail contact.
    Hotline and patrol cases need the report permission on the grid the point routes to.
    `locate=False` (an address without coordinates, e.g. from Open311) skips routing: the case
    goes to the city-level queue, and its point is only the city's placeholder.
    """
    errors: dict[str, list[str]] = {}
    try:
        lon_f, lat_f = validate_point(lon, lat)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not category.active:
        errors["category"] = [_("This category no longer takes requests.")]
    try:
        description = _text(description, "description", required=True)
    except InvalidInput as error:
        errors.update(error.errors)
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose general or urgent.")]
    elif urgency == Urgency.URGENT and not category.allows_urgent:
        errors["urgency"] = [_("This category cannot be marked urgent.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    try:
        cleaned_answers = clean_answers(category, answers)
    except ValidationError as error:
        errors.update(error.message_dict)
    contact = clean_contact(contact)
    errors.update(contact_errors(contact=contact, anonymous=not actor.is_authenticated))
    if len(address) > 300:
        errors["address"] = [_("At most %(n)d characters.") % {"n": 300}]
    if errors:
        raise InvalidInput(errors)
    cleaned_files = _clean_files(files)

    grid_id = grid_index().locate(lon_f, lat_f) if locate else None
    # Not its boundary: a grid's polygon is the biggest column there is, and filing never reads it.
    grid = Area.objects.defer("boundary").get(pk=grid_id) if grid_id is not None else None
    city = grid if grid is not None else city_for_unrouted()
    area_path = grid.path if grid is not None else (city.path if city else "/")
    if channel in STAFF_CHANNELS and not _may_report_at(actor, area_path):
        raise NotPermitted(_("You may only file hotline and patrol cases in your own areas."))

    now = clock.now()
    with _atomic_with_files() as saved:
        case = Case(
            category=category,
            description=description,
            lon=lon_f,
            lat=lat_f,
            address=address.strip(),
            grid=grid,
            area_path=area_path,
            # Staff filing a call or a patrol finding are not its reporter: the caller's
            # contact is the contact, and the submission's entry names the staff as its actor.
            reporter=actor
            if actor.is_authenticated and channel not in NO_REPORTER_CHANNELS
            else None,
            channel=channel,
            urgency=urgency,
            answers=cleaned_answers,
            assignee_department=None,
            created_at=now,
            updated_at=now,
            due_at=due_time(now, category.limit_for(urgency), category.limit_unit),
        )
        case.warn_at = warning_time(case)
        case.save(force_insert=True)
        if any(contact.values()):
            # The contact's messages are written in the language of the filing, or the one
            # staff chose for a caller (`contact_language`, one of the site's languages).
            known = {code for code, _name in settings.LANGUAGES}
            language = (
                contact_language
                if contact_language in known
                else translation.get_language() or settings.LANGUAGE_CODE
            )
            CaseContact.objects.create(case=case, language=language, **contact)
        # The submission's own entry carries the case's own photos: as public as its description
        # (a private-location case caps both at the reporter).
        event = _record(
            case,
            kind=EventKind.SUBMITTED,
            actor=actor,
            audience=Audience.PUBLIC,
            data={"channel": channel, "routed": grid is not None},
        )
        _store_files(saved, case=case, event=event, files=cleaned_files, actor=actor)
        events.case_changed_on_commit(case, event)
    return case


def _may_report_at(actor: Person, area_path: str) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return any(area_path.startswith(p) for p in area_paths(actor, AREA_PERMISSION[Action.REPORT]))
