"""Reason codes: the stable contract with downstream alerting."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason"]


class Reason(StrEnum):
    """Why a row was quarantined (or, for ``*_AGING``-style codes, warned about).

    Values are stable strings of the form ``family.condition``; they are documented in the README
    and never renamed within a major version. A pandera row check named ``<check>`` reports the
    dynamic code ``schema.<check>``, which is not a member; nor are PII's rewrite warnings
    ``pii.<entity>.redacted`` / ``.masked`` / ``.pseudonymized``.

    >>> Reason.FRESHNESS_STALE
    <Reason.FRESHNESS_STALE: 'freshness.stale'>
    >>> str(Reason.FRESHNESS_STALE)
    'freshness.stale'
    """

    # structural contract
    SCHEMA_MISSING_COLUMN = "schema.missing_column"
    SCHEMA_RESERVED_COLUMN = "schema.reserved_column"
    SCHEMA_DTYPE = "schema.dtype"
    SCHEMA_UNSUPPORTED_TYPE = "schema.unsupported_type"
    SCHEMA_DUPLICATE_COLUMN = "schema.duplicate_column"
    SCHEMA_INVALID_TEXT = "schema.invalid_text"
    SCHEMA_UNREADABLE = "schema.unreadable"
    # freshness
    FRESHNESS_MISSING = "freshness.missing"
    FRESHNESS_INVALID = "freshness.invalid"
    FRESHNESS_NAIVE = "freshness.naive"
    FRESHNESS_FUTURE = "freshness.future"
    FRESHNESS_STALE = "freshness.stale"
    FRESHNESS_AGING = "freshness.aging"
    FRESHNESS_AMBIGUOUS = "freshness.ambiguous"
    # provenance
    SOURCE_MISSING = "source.missing"
    SOURCE_UNKNOWN = "source.unknown"
    SOURCE_SUSPENDED = "source.suspended"
    SOURCE_RETIRED = "source.retired"
    SIGNATURE_MISSING = "signature.missing"
    SIGNATURE_INVALID = "signature.invalid"
    SIGNATURE_KEY_EXPIRED = "signature.key_expired"
    SIGNATURE_MALFORMED = "signature.malformed"
    SIGNATURE_UNKNOWN_KEY = "signature.unknown_key"
    SIGNATURE_KEY_NOT_YET_VALID = "signature.key_not_yet_valid"
    # terminology
    TERM_MISSING = "term.missing"
    TERM_UNKNOWN = "term.unknown"
    TERM_AMBIGUOUS = "term.ambiguous"
    TERM_CONFUSABLE = "term.confusable"
    TERM_NOT_ALLOWED = "term.not_allowed"
    # pii (reject, flag); a rewritten entity warns `pii.<entity>.redacted|masked|pseudonymized`
    PII_SECRET = "pii.secret"  # noqa: S105 - a reason code, not a password
    PII_URL_CREDENTIALS = "pii.url_credentials"
    PII_EMAIL = "pii.email"
    PII_CARD = "pii.card"
    PII_IBAN = "pii.iban"
    PII_US_SSN = "pii.us_ssn"
    PII_IP = "pii.ip"
    PII_ES_DNI = "pii.es_dni"  # the national identifiers are opt-in
    PII_IT_FISCAL_CODE = "pii.it_fiscal_code"
    PII_FR_NIR = "pii.fr_nir"
    PII_BR_CPF = "pii.br_cpf"
    PII_IN_AADHAAR = "pii.in_aadhaar"
    PII_PHONE = "pii.phone"
    PII_PERSON = "pii.person"
    PII_LOCATION = "pii.location"
    PII_ORGANIZATION = "pii.organization"
