"""Sign in with a phone number, an e-mail address or a username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from governance.cached_users import cached_user


def find_account(login: str):
    """The account a typed login names: its username, its phone number or its e-mail."""
    login = login.strip()
    if not login:
        return None
    user_model = get_user_model()
    return (
        user_model._default_manager.filter(
            Q(username=login) | Q(phone=login) | Q(email=login.lower())
        )
        .order_by("pk")
        .first()
    )


class PhoneOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username or kwargs.get("email") or kwargs.get("phone") or "").strip()
        if not login or password is None:
            return None
        user = find_account(login)
        if user is None:
            get_user_model()().set_password(password)  # same work either way: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in person of a session, from the shared cache (`governance.cached_users`):
        no query on most requests. Still refused once the account is no longer active."""
        user = cached_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
