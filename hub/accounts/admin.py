from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from hub.accounts.models import User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    exclude = ["password"]
