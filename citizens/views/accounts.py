"""Sign up, sign in, profile. Password reset is Django's own views (see citizens.urls), limited."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from citizens.forms import ProfileForm, SignInForm, SignUpCodeForm, SignUpForm
from citizens.models import User
from citizens.signup import confirm_signup, pending, start_signup
from governance.cached_users import forget_user
from governance.web.limited import limit_posts


def _use_language(response: HttpResponse, language: str) -> HttpResponse:
    """Django's own language cookie settings apply here too (Secure behind HTTPS)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )
    return response


@limit_posts("signup")
def signup(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the phone or e-mail has an account (citizens.signup)."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        start_signup(
            session=request.session,
            signup=form.signup(),
            sign_in_url=request.build_absolute_uri(reverse("citizens:login")),
        )
        return redirect("citizens:signup_confirm")
    return render(
        request, "citizens/signup.html", {"form": form}, status=400 if form.errors else 200
    )


password_reset = limit_posts("password_reset", target=lambda request: request.POST.get("email"))(
    PasswordResetView.as_view(
        template_name="citizens/password_reset.html",
        email_template_name="citizens/password_reset_email.txt",
        subject_template_name="citizens/password_reset_subject.txt",
        success_url=reverse_lazy("citizens:password_reset_done"),
    )
)
"""Per address and per e-mail asked for, whether or not it has an account (nothing revealed)."""


@limit_posts("signup_code")
def signup_confirm(request: HttpRequest) -> HttpResponse:
    if not pending(request.session):
        return redirect("citizens:signup")
    form = SignUpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = confirm_signup(session=request.session, code=form.cleaned_data["code"])
        if user is not None:
            login(request, user, backend="citizens.backends.PhoneOrEmailBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("citizens:home")
        if not pending(request.session):
            messages.error(
                request, _("The code has expired or was wrong too often; sign up again.")
            )
            return redirect("citizens:signup")
        form.add_error("code", _("This code is not right."))
    return render(
        request, "citizens/signup_confirm.html", {"form": form}, status=400 if form.errors else 200
    )


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "citizens/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return _use_language(response, form.get_user().preferred_language)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch (Django's `set_language`); a signed-in person's choice is
    also their preferred language, so e-mails, SMS and live notices follow it."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
        forget_user(request.user.pk)  # an update sends no signal: drop the cached account
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Your profile is saved."))
        return _use_language(redirect("citizens:profile"), user.preferred_language)
    return render(request, "citizens/profile.html", {"form": form})
