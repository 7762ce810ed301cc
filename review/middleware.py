"""Request-wide admin behaviour: the reviewer's 当前业务 (review/business.py)."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from review.business import business_of

# Admin pages a reviewer may open before choosing a business.
BUSINESS_EXEMPT_URL_NAMES = frozenset(
    {"business", "login", "logout", "password_change", "password_change_done", "jsi18n"}
)


class BusinessMiddleware:
    """Sets `request.business` on admin pages; a reviewer with several businesses and no
    choice yet is sent to 选择业务 (and back to the page afterwards)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.business = None
        if self._prefix is None:
            self._prefix = reverse("admin:index")
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.path_info.startswith(self._prefix)
            and user.is_authenticated
            and user.is_staff
        ):
            request.business = business_of(request)
            if request.business is None and not self._exempt(request):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('admin:business')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        try:
            return resolve(request.path_info).url_name in BUSINESS_EXEMPT_URL_NAMES
        except Resolver404:
            return True  # the 404 page says so itself
