from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.html import format_html


class DeskAdminSite(admin.AdminSite):
    """The admin, with the number of comments waiting beside "Comments" on the index and in
    the navigation sidebar (both are built from get_app_list), and the desk dashboard on the
    index page."""

    def index(self, request, extra_context=None):
        from articles.services.dashboard import desk_dashboard

        extra_context = {**(extra_context or {}), "desk": desk_dashboard(request.user)}
        return super().index(request, extra_context)

    def get_app_list(self, request, app_label=None):
        from articles.models import Comment

        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for entry in app["models"]:
                if entry["model"] is Comment:
                    pending = Comment.objects.pending().count()
                    if pending:
                        entry["name"] = format_html(
                            '{} <strong class="pending-comments">({} pending)</strong>',
                            entry["name"],
                            pending,
                        )
        return app_list


class DeskAdminConfig(AdminConfig):
    default_site = "articles.admin_site.DeskAdminSite"
