"""Helpers shared by the serializers."""


def absolute(request, path: str) -> str:
    """`path` as an absolute URL when there is a request (API answers), else as is."""
    return request.build_absolute_uri(path) if request is not None else path
