"""The admin's "view on site" shortcut, limited to objects the user may see.

Django's `contenttypes.views.shortcut` (at /admin/r/<content type>/<id>/) looks
the object up without any scope and redirects to its public address, so anyone
signed in to the admin could learn the address of another government's object,
or of a publication that is not public yet. `view_on_site` answers first
(mgi_portal/urls.py routes the same URLs to it) and lets Django's view redirect
only when:

- the object is in its ModelAdmin's queryset for this user, found the way the
  admin's own pages find it (`ModelAdmin.get_object`): for every
  government-bound model that is `ScopedAdmin.scope`, the one rule the lists,
  forms and custom views use;
- the user may view it there (`has_view_or_change_permission`);
- and, because the redirect goes to the public site, a publication is live, or
  the user sees every government (IOM staff check the address before release):
  `access.can_view_publication`.

Anything else answers 404, as for an object that does not exist.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404

from profiles import access
from profiles.models import Publication


def view_on_site(request, content_type_id, object_id):
    """Redirect to the object's public address if this user may see the object; else 404."""
    try:
        content_type = ContentType.objects.get(pk=content_type_id)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    model = content_type.model_class()
    try:
        model_admin = admin.site.get_model_admin(model) if model is not None else None
    except admin.exceptions.NotRegistered:
        model_admin = None
    if model_admin is None:
        raise Http404
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    if isinstance(obj, Publication) and not access.can_view_publication(request.user, obj):
        raise Http404
    # Django's view now redirects to exactly the object checked above.
    return shortcut(request, content_type.pk, obj.pk)
