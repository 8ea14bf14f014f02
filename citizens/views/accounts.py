"""Sign up, sign in, profile. Password reset is Django's own views (see citizens.urls), limited."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _

from citizens.forms import ProfileForm, SignInForm, SignUpForm
from governance.web.limited import limit_posts


def _use_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@limit_posts("signup")
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="citizens.backends.PhoneOrEmailBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("citizens:home")
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


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "citizens/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return _use_language(response, form.get_user().preferred_language)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Your profile is saved."))
        return _use_language(redirect("citizens:profile"), user.preferred_language)
    return render(request, "citizens/profile.html", {"form": form})
