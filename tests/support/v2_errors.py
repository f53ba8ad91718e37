"""Which exception a v2 HTTP error answer becomes, for the v2 exception and endpoint tests.

``STATUS_EXCEPTIONS`` rows are ``(status, v2 class, official class, scaleapi class)``:

* the v2 class (a name in ``scaleapi.api_client.v2.exceptions``) is the one ``exception_for_status``
  builds and a v2 call raises;
* the official class is the one the official client raises for that status (it has no class for 402
  and 429, and one ``ServiceException`` for every 5xx); the v2 class is it or a subclass of it, so code
  written for the official client catches what this SDK raises;
* the scaleapi class is the ``ScaleException`` the error is as well.
"""
from typing import List, Tuple, Type

from scaleapi import exceptions as scale

STATUS_EXCEPTIONS: List[Tuple[int, str, str, Type[scale.ScaleException]]] = [
    (400, "BadRequestException", "BadRequestException", scale.ScaleInvalidRequest),
    (401, "UnauthorizedException", "UnauthorizedException", scale.ScaleUnauthorized),
    (402, "NotEnabledException", "ApiException", scale.ScaleNotEnabled),
    (403, "ForbiddenException", "ForbiddenException", scale.ScaleException),
    (404, "NotFoundException", "NotFoundException", scale.ScaleResourceNotFound),
    (409, "ConflictException", "ConflictException", scale.ScaleDuplicateResource),
    (418, "ApiException", "ApiException", scale.ScaleException),
    (422, "UnprocessableEntityException", "UnprocessableEntityException", scale.ScaleInvalidRequest),
    (429, "TooManyRequestsException", "ApiException", scale.ScaleTooManyRequests),
    (500, "InternalServerErrorException", "ServiceException", scale.ScaleInternalError),
    (502, "ServiceException", "ServiceException", scale.ScaleException),
    (503, "ServiceUnavailableException", "ServiceException", scale.ScaleServiceUnavailable),
    (504, "GatewayTimeoutException", "ServiceException", scale.ScaleTimeoutError),
]
