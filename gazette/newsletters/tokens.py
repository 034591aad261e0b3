"""The signed links of the e-mails: confirm a subscription, open one's preferences, leave a
list. No account: the link is the proof, signed with the site's secret. Confirmation links
expire (a week); preferences and unsubscribe links do not (an e-mail may be read months later)
but are void once the subscriber is erased (the id no longer exists)."""

from __future__ import annotations

from django.core import signing

CONFIRM_MAX_AGE = 7 * 24 * 3600

_CONFIRM = "gazette.newsletters.confirm"
_PREFERENCES = "gazette.newsletters.preferences"
_UNSUBSCRIBE = "gazette.newsletters.unsubscribe"


def confirm_token(subscriber_id: int, newsletter_ids: list[int]) -> str:
    value = {"s": subscriber_id, "n": sorted(newsletter_ids)}
    return signing.dumps(value, salt=_CONFIRM, compress=True)


def read_confirm_token(token: str) -> tuple[int, list[int]] | None:
    try:
        value = signing.loads(token, salt=_CONFIRM, max_age=CONFIRM_MAX_AGE)
        return int(value["s"]), [int(pk) for pk in value["n"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def preferences_token(subscriber_id: int) -> str:
    return signing.Signer(salt=_PREFERENCES).sign(str(subscriber_id))


def read_preferences_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=_PREFERENCES).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def unsubscribe_token(subscriber_id: int, newsletter_id: int, issue_id: int | None) -> str:
    """Leave one list, saying from which issue (the admin counts who left after each)."""
    value = f"{subscriber_id}.{newsletter_id}.{issue_id or 0}"
    return signing.Signer(salt=_UNSUBSCRIBE).sign(value)


def read_unsubscribe_token(token: str) -> tuple[int, int, int | None] | None:
    try:
        value = signing.Signer(salt=_UNSUBSCRIBE).unsign(token)
        subscriber_id, newsletter_id, issue_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    return subscriber_id, newsletter_id, issue_id or None
