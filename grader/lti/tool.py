"""pylti1p3 wired to our models: a tool configuration read from `Platform`/`Deployment`, launch data (state,
nonce, launch) in Django's shared cache, and launch validation that names why a launch is refused."""
from __future__ import annotations

import jwt
from django.conf import settings
from django.core.cache import cache
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from grader.lti import keys
from grader.lti.models import Deployment, Platform


class Refused(Exception):
    """A launch we do not accept: `reason` is one of REASONS' keys, `detail` what exactly was wrong."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


REASONS = {
    "signature": "The launch's signature does not verify against the platform's published keys.",
    "audience": "The launch was not addressed to Gradebox (unknown issuer or client id).",
    "expired": "The launch token has expired or is not valid yet.",
    "replayed": "This launch was already used (its nonce was seen before), or it did not start at Gradebox.",
    "deployment": "This LMS deployment is not registered with Gradebox, or no course is linked to it yet.",
    "claim": "The launch lacks a claim LTI 1.3 requires.",
    "state": "The launch does not belong to this browser's login (state mismatch); try opening it again.",
}


def registration_of(platform: Platform) -> Registration:
    """pylti1p3's view of a platform registration, signing with our current key."""
    key = keys.current_key()
    return (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
            .set_auth_audience(platform.auth_audience or None).set_key_set_url(platform.keyset_url)
            .set_tool_private_key(key.private_pem).set_tool_public_key(keys.public_pem(key)))


class ToolConf(ToolConfAbstract):
    """Registrations and deployments from the database; every issuer may hold several client ids."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platform = Platform.objects.filter(issuer=iss).order_by("id").first()
        return registration_of(platform) if platform else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = Platform.objects.filter(issuer=iss, client_id=client_id).first() if client_id else None
        return registration_of(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        row = Deployment.objects.filter(platform__issuer=iss, deployment_id=deployment_id).first()
        return LtiDeployment().set_deployment_id(row.deployment_id) if row else None

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        row = Deployment.objects.filter(platform__issuer=iss, platform__client_id=client_id,
                                        deployment_id=deployment_id).first()
        return LtiDeployment().set_deployment_id(row.deployment_id) if row else None

    def get_jwks(self, iss=None, client_id=None, **kwargs):
        return keys.jwks()


def storage() -> DjangoCacheDataStorage:
    return DjangoCacheDataStorage(cache_name="default")


def oidc_login(request) -> DjangoOIDCLogin:
    data = storage()
    login = DjangoOIDCLogin(request, ToolConf(), launch_data_storage=data).set_launch_data_storage(data)
    return login.set_launch_data_lifetime(settings.GRADER_LTI_LAUNCH_LIFETIME_S)


class MessageLaunch(DjangoMessageLaunch):
    """A launch whose every check raises `Refused` with its reason; a nonce is accepted once only."""

    def __init__(self, request, tool_config=None, *, launch_data_storage=None, **kwargs):
        super().__init__(request, tool_config or ToolConf(), launch_data_storage=launch_data_storage or storage(),
                         **kwargs)
        self.set_launch_data_lifetime(settings.GRADER_LTI_LAUNCH_LIFETIME_S)
        # exp and iat must be there; `aud` is checked against the registration (validate_registration).
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})

    def validate_state(self):
        try:
            return super().validate_state()
        except LtiException as error:
            raise Refused("state", str(error)) from error

    def validate_jwt_format(self):
        try:
            return super().validate_jwt_format()
        except LtiException as error:
            raise Refused("claim", str(error)) from error

    def validate_nonce(self):
        try:
            super().validate_nonce()
        except LtiException as error:
            raise Refused("replayed", str(error)) from error
        nonce = self._get_jwt_body()["nonce"]
        # pylti1p3 only checks the nonce was issued: the first launch that uses it claims it (atomic add).
        if not cache.add(f"lti-nonce-used:{nonce}", 1, settings.GRADER_LTI_LAUNCH_LIFETIME_S):
            raise Refused("replayed", f"nonce {nonce} was already used")
        return self

    def validate_registration(self):
        try:
            super().validate_registration()
        except LtiException as error:
            raise Refused("audience", str(error)) from error
        body = self._get_jwt_body()
        # Several audiences: `azp` must name us (OpenID Connect Core 3.1.3.7, IMS Security Framework 5.1.3).
        if isinstance(body.get("aud"), list) and len(body["aud"]) > 1 and body.get("azp") != self.get_client_id():
            raise Refused("audience", "several audiences and azp is not Gradebox's client id")
        return self

    def validate_jwt_signature(self):
        try:
            return super().validate_jwt_signature()
        except LtiException as error:
            cause = error.__cause__
            if isinstance(cause, (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError)):
                raise Refused("expired", str(error)) from error
            if isinstance(cause, jwt.MissingRequiredClaimError):
                raise Refused("claim", str(error)) from error
            raise Refused("signature", str(error)) from error

    def validate_deployment(self):
        try:
            return super().validate_deployment()
        except LtiException as error:
            raise Refused("deployment", str(error)) from error

    def validate_message(self):
        try:
            return super().validate_message()
        except LtiException as error:
            raise Refused("claim", str(error)) from error


def restored_launch(request, launch_id: str) -> MessageLaunch:
    """A launch validated earlier (deep linking's second step), read back from the cache."""
    try:
        return MessageLaunch.from_cache(launch_id, request, ToolConf(), launch_data_storage=storage())
    except LtiException as error:
        raise Refused("state", f"the launch is no longer known: {error}") from error
