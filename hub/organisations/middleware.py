from hub.organisations.acting import SESSION_KEY, acting_for, attach


class ActingOrganisationMiddleware:
    """Sets ``request.acting`` (and ``request.user.acting``) for every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        acting = acting_for(request.user, request.session.get(SESSION_KEY))
        request.acting = acting
        attach(request.user, acting)
        return self.get_response(request)
