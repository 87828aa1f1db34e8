"""Who may do what through the API: anyone reads; writes are for curators, i.e. staff accounts (as the admin
requires) holding the model permission, whether they come with a token or a session."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly


class StaffModelPermissionsOrAnonReadOnly(DjangoModelPermissionsOrAnonReadOnly):
    """DRF's model permissions for writes, plus a staff account: a token handed to a non-staff account (a reader, a
    former curator whose staff status was removed) cannot write, whatever permissions it still holds."""

    message = "Writing through the API needs a curator's account: staff, with the permission for this kind of record."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return super().has_permission(request, view)
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff) and super().has_permission(request, view)
