"""Writes for support: every view, command, import and API endpoint calls these.

Split by journey: residents and consent, requests and their needs, contacts and notes,
referrals between organisations, the shielding-list import. Each function is
keyword-only, validates, saves, and writes the resident's journey in one transaction.
"""

from hub.support.services.errors import ConflictError
from hub.support.services.journey import journey_record
from hub.support.services.referrals import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
    referrals_expire,
)
from hub.support.services.requests import (
    contact_log,
    need_record_outcome,
    note_add,
    request_create,
    request_set_status,
    request_triage,
    requests_bulk_assign,
)
from hub.support.services.residents import (
    consent_allows,
    consent_record,
    resident_create,
    resident_duplicates,
    resident_update,
    residents_merge,
)

__all__ = [
    "ConflictError",
    "consent_allows",
    "consent_record",
    "contact_log",
    "journey_record",
    "need_record_outcome",
    "note_add",
    "referral_accept",
    "referral_complete",
    "referral_decline",
    "referral_send",
    "referral_withdraw",
    "referrals_expire",
    "request_create",
    "request_set_status",
    "request_triage",
    "requests_bulk_assign",
    "resident_create",
    "resident_duplicates",
    "resident_update",
    "residents_merge",
]
