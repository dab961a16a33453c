"""File offers on both engines: one claim per offer, given back on a failed upload,
refused to anyone else and after a day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.file_offers import Claimed, Refusal, claim_offer, offer_file, release_offer

AT = dt.datetime(2020, 1, 6, 9, tzinfo=dt.UTC)


def test_an_offer_is_claimed_once_released_for_a_retry_and_refused_otherwise(plan_engine: Engine) -> None:
    with session_scope(plan_engine) as session:
        token = offer_file(session, person_id="robin", file_name="return.docx", at=AT)

    def claim(person: str, at: dt.datetime = AT) -> Claimed | Refusal:
        with session_scope(plan_engine) as session:
            return claim_offer(session, token=token, person_id=person, at=at)

    assert claim("alex") == Refusal.SOMEONE_ELSE
    assert claim("robin") == Claimed("return.docx")
    assert claim("robin") == Refusal.USED
    with session_scope(plan_engine) as session:
        release_offer(session, token=token)
    assert claim("robin", AT + dt.timedelta(hours=23)) == Claimed("return.docx")
    with session_scope(plan_engine) as session:
        release_offer(session, token=token)
    assert claim("robin", AT + dt.timedelta(hours=24, seconds=1)) == Refusal.EXPIRED
    with session_scope(plan_engine) as session:
        assert claim_offer(session, token=token + "x", person_id="robin", at=AT) == Refusal.UNKNOWN
        assert claim_offer(session, token="", person_id="robin", at=AT) == Refusal.UNKNOWN
