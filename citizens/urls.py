from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from citizens.views import accounts, following, notifications, public, requests, tracking

app_name = "citizens"

urlpatterns = [
    path("", public.home, name="home"),
    path("submit/", requests.submit, name="submit"),
    path("submit/questions/", requests.submit_questions, name="submit_questions"),
    path("submit/nearby/", requests.submit_nearby, name="submit_nearby"),
    path("submitted/<str:tracking_id>/", requests.submitted, name="submitted"),
    path("requests/", requests.my_requests, name="my_requests"),
    path("requests/<str:tracking_id>/", requests.request_detail, name="request"),
    path("requests/<str:tracking_id>/live/", requests.request_live, name="request_live"),
    path("requests/<str:tracking_id>/actions/", requests.request_actions, name="request_actions"),
    path("requests/<str:tracking_id>/act/<slug:name>/", requests.request_act, name="request_act"),
    path("track/", tracking.track, name="track"),
    path("track/link/<str:token>/", tracking.reporter_link, name="reporter_link"),
    path("track/link/<str:token>/fresh/", tracking.fresh_link, name="reporter_link_fresh"),
    path("track/unsubscribe/<str:token>/", tracking.unsubscribe, name="unsubscribe"),
    path("track/unsubscribe/<str:token>/undo/", tracking.resubscribe, name="resubscribe"),
    path("public/", public.public_list, name="public"),
    path("public/<str:tracking_id>/", public.public_detail, name="public_request"),
    path("public/<str:tracking_id>/print/", public.public_print, name="public_print"),
    path("public/<str:tracking_id>/follow/", following.follow, name="follow"),
    path("follow/confirm/<str:token>/", following.follow_confirm, name="follow_confirm"),
    path("follow/stop/<str:token>/", following.unsubscribe, name="follow_unsubscribe"),
    path("alerts/", following.alerts, name="alerts"),
    path("alerts/stop/", following.alert_stop, name="alert_stop"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/code/", accounts.signup_confirm, name="signup_confirm"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/language/", accounts.switch_language, name="language"),
    path(
        "accounts/password-reset/",
        accounts.password_reset,
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="citizens/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="citizens/password_reset_confirm.html",
            success_url=reverse_lazy("citizens:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="citizens/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/unread/", notifications.unread_fragment, name="notifications-unread"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications-read-all"),
    path("notifications/preferences/", notifications.preferences, name="notifications-preferences"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.mark_read,
        name="notification-read",
    ),
]
