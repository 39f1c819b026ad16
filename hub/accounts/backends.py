"""Sign-in with e-mail and password, and Django's model permissions for the admin site only.

The hub's own permissions are rules (``hub.organisations.rules``); Django's per-model
permissions matter only to staff using the admin site. Asking Django's backend about
anyone else costs two queries a request (their permissions and their groups') to learn
nothing, so this backend answers "no" for them straight away.
"""

from django.contrib.auth.backends import ModelBackend


class HubModelBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not (user_obj.is_staff or user_obj.is_superuser):
            return False
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if not (user_obj.is_staff or user_obj.is_superuser):
            return False
        return super().has_module_perms(user_obj, app_label)
