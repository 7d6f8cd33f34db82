"""A sealed bid's rules, without a database: the deadline, the offer's shape, the receipt digest, amendments."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rules import DomainError, Refusal
from domain.tendering.bid import Bid, bid_uuid, digest
from domain.tendering.terms import Offer, TermsChange
from tests.tendering_fixtures import (
    AFTER_DEADLINE,
    BIDDER,
    DURING_TENDERING,
    POLICY,
    RESPONSES,
    RIVAL,
    TENDER_DEADLINE,
    bid_on,
    carries,
    drafted,
    officer,
    provider,
    published,
)

PRICE = {"1": Decimal("250000.00")}
RETITLED = TermsChange(title="Day opportunities in Clun")


def test_a_submitted_bid_holds_the_digest_of_its_content_and_the_amendment_it_answers() -> None:
    tender = published()
    bid = bid_on(tender)
    assert bid.id == bid_uuid(tender.id, BIDDER)
    assert (bid.status, bid.amendment, bid.prices, bid.responses) == ("submitted", 0, PRICE, RESPONSES)
    assert bid.digest == digest(str(tender.id), BIDDER, PRICE, RESPONSES, bid.nonce)


def test_a_receipt_is_a_commitment_salted_with_a_nonce_so_a_guessed_price_cannot_be_checked_against_it() -> None:
    tender = published()
    bid = bid_on(tender)
    assert len(bid.nonce) == 32 and int(bid.nonce, 16) >= 0  # 128 random bits
    assert bid.digest != digest(str(tender.id), BIDDER, PRICE, RESPONSES)  # the unsalted hash of the true offer
    assert bid_on(tender).nonce != bid.nonce  # each submission draws its own


def test_the_bidder_proves_what_it_sent_with_its_nonce_sha256_over_nonce_and_canonical_json() -> None:
    canonical = (
        '{"bidder":"GB-CHC-1234567","prices":{"1":"250000.00"},"responses":{"quality":"Trained staff"},"tender":"t-1"}'
    )
    nonce = "00112233445566778899aabbccddeeff"
    expected = hashlib.sha256((nonce + canonical).encode()).hexdigest()
    prices = {"1": Decimal("250000")}
    assert digest("t-1", BIDDER, prices, {"quality": "Trained staff"}, nonce) == expected


def test_one_bid_per_organisation_per_tender() -> None:
    tender = published()
    assert bid_on(tender).id == bid_on(tender).id != bid_on(tender, RIVAL).id


def test_no_bid_before_publication() -> None:
    with pytest.raises(DomainError, match="draft") as refused:
        bid_on(drafted())
    assert refused.value.kind is Refusal.CONFLICT


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
def test_a_bid_is_refused_after_the_deadline_even_if_tendering_was_never_closed(late: timedelta) -> None:
    tender = published()
    with pytest.raises(DomainError, match="deadline passed") as refused:
        bid_on(tender, now=TENDER_DEADLINE + late)
    assert refused.value.kind is Refusal.CONFLICT
    assert tender.status == "tendering"


@given(st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=30)))
def test_a_bid_is_accepted_at_any_moment_before_the_deadline(early: timedelta) -> None:
    assert bid_on(published(), now=TENDER_DEADLINE - early).status == "submitted"


def test_a_bid_is_refused_once_tendering_is_closed() -> None:
    tender = published()
    tender.close_tendering(officer(TENDER_DEADLINE))
    with pytest.raises(DomainError, match="Cannot submit a bid: the tender deadline has passed"):
        bid_on(tender, now=TENDER_DEADLINE - timedelta(hours=1))  # a clock behind the record changes nothing


def test_withdraw_replace_and_resubmit_until_the_deadline_and_not_after() -> None:
    tender = published()
    bid = bid_on(tender)
    bid.replace(provider(), tender, Offer({"1": Decimal("240000.00")}, RESPONSES))
    bid.withdraw(provider(), tender)
    assert bid.status == "withdrawn"
    bid.replace(provider(), tender, Offer(PRICE, RESPONSES))  # a resubmission
    assert (bid.status, bid.prices) == ("submitted", PRICE)
    at_deadline = provider(TENDER_DEADLINE)
    for late in (
        lambda: bid.withdraw(at_deadline, tender),
        lambda: bid.replace(at_deadline, tender, Offer(PRICE, RESPONSES)),
    ):
        with pytest.raises(DomainError, match="deadline passed") as refused:
            late()
        assert refused.value.kind is Refusal.CONFLICT
    assert bid.status == "submitted"


def test_a_withdrawn_bid_cannot_be_withdrawn_again_or_reconfirmed_and_does_not_open() -> None:
    tender = published()
    bid = bid_on(tender)
    bid.withdraw(provider(), tender)
    tender.amend(officer(DURING_TENDERING), POLICY, "Clarified scope", RETITLED)
    for again in (lambda: bid.withdraw(provider(), tender), lambda: bid.reconfirm(provider(), tender)):
        with pytest.raises(DomainError) as refused:
            again()
        assert refused.value.kind is Refusal.CONFLICT
    assert not bid.opens_with(tender)


# --- the offer's shape --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prices", "field"),
    [({}, "prices"), ({"9": Decimal(1000)}, "prices.9"), ({"1": Decimal(-1)}, "prices.1"),
     ({"1": Decimal("100.001")}, "prices.1")],
    ids=["no-lot", "unknown-lot", "negative", "fraction-of-a-penny"],
)  # fmt: skip
def test_a_bid_prices_only_real_lots_in_pounds_and_pence(prices: dict[str, Decimal], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        bid_on(published(), prices=prices)
    assert (refused.value.field, refused.value.kind) == (field, Refusal.INVALID)


def test_a_bid_may_price_some_lots_or_all_of_them() -> None:
    tender = published()
    assert bid_on(tender, prices={"2": Decimal("190000")}).prices == {"2": Decimal("190000")}
    assert set(bid_on(tender, RIVAL, {"1": Decimal(1), "2": Decimal(2)}).prices) == {"1", "2"}


def test_a_lot_priced_at_nothing_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        bid_on(published(), prices={"1": Decimal("0.00")})
    assert refused.value.field == "prices.1"


@pytest.mark.parametrize(
    "responses",
    [{"quality": "Yes"}, {**RESPONSES, "innovation": "Robots"}, {**RESPONSES, "price": "Cheap"}, {}],
    ids=["missing", "not-asked", "price-is-not-a-response", "none"],
)
def test_a_bid_responds_to_every_quality_and_social_value_criterion_and_nothing_else(
    responses: dict[str, str],
) -> None:
    tender = published()
    with pytest.raises(DomainError) as refused:
        Bid.submit(provider(), tender, BIDDER, Offer(PRICE, responses))
    assert refused.value.field == "responses"


def test_an_empty_response_is_refused_naming_the_criterion() -> None:
    with pytest.raises(DomainError) as refused:
        Bid.submit(provider(), published(), BIDDER, Offer(PRICE, {**RESPONSES, "sv": "   "}))
    assert refused.value.field == "responses.sv"


def test_a_replacement_keeps_the_same_rules() -> None:
    tender = published()
    bid = bid_on(tender)
    with pytest.raises(DomainError):
        bid.replace(provider(), tender, Offer({"9": Decimal(1)}, RESPONSES))
    assert bid.prices == PRICE and bid.version == 1


# --- the receipt digest -------------------------------------------------------------------------------------------

LOT_IDS = st.sampled_from(["1", "2", "3", "4"])
PENCE = st.integers(min_value=1, max_value=10**11).map(lambda p: Decimal(p).scaleb(-2))
PRICES = st.dictionaries(LOT_IDS, PENCE, min_size=1)
RESPONSE_SETS = st.dictionaries(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=40), max_size=4)


def test_the_digest_is_the_sha256_of_the_canonical_json_of_the_content() -> None:
    canonical = {"bidder": BIDDER, "prices": {"1": "250000.00"}, "responses": RESPONSES, "tender": "t-1"}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert digest("t-1", BIDDER, PRICE, RESPONSES) == hashlib.sha256(text.encode()).hexdigest()


@given(PRICES, RESPONSE_SETS, st.randoms())
def test_the_digest_does_not_depend_on_the_order_of_prices_or_responses(
    prices: dict[str, Decimal], responses: dict[str, str], rnd: random.Random
) -> None:
    def shuffled(d: dict[str, object]) -> dict[str, object]:
        items = list(d.items())
        rnd.shuffle(items)
        return dict(items)

    assert digest("t-1", BIDDER, prices, responses) == digest("t-1", BIDDER, shuffled(prices), shuffled(responses))


@given(PRICES, RESPONSE_SETS, PRICES, RESPONSE_SETS)
def test_any_change_in_a_price_or_a_response_changes_the_digest(
    prices: dict[str, Decimal], responses: dict[str, str], other_prices: dict[str, Decimal],
    other_responses: dict[str, str],
) -> None:  # fmt: skip
    same = (prices, responses) == (other_prices, other_responses)
    assert (digest("t-1", BIDDER, prices, responses) == digest("t-1", BIDDER, other_prices, other_responses)) == same


@given(PRICES, st.data())
def test_a_change_of_one_penny_in_one_lot_changes_the_digest(prices: dict[str, Decimal], data: st.DataObject) -> None:
    lot = data.draw(st.sampled_from(sorted(prices)))
    nudged = {**prices, lot: prices[lot] + Decimal("0.01")}
    assert digest("t-1", BIDDER, prices, RESPONSES) != digest("t-1", BIDDER, nudged, RESPONSES)


def test_the_digest_names_the_tender_and_the_bidder() -> None:
    base = digest("t-1", BIDDER, PRICE, RESPONSES)
    assert base != digest("t-2", BIDDER, PRICE, RESPONSES) and base != digest("t-1", RIVAL, PRICE, RESPONSES)


def test_a_replacement_gets_a_new_nonce_and_the_digest_of_its_new_content_whatever_the_key_order() -> None:
    tender = published()
    bid = bid_on(tender)
    first = bid.digest
    bid.replace(provider(), tender, Offer({"1": Decimal("240000.00")}, RESPONSES))
    assert bid.digest != first
    assert bid.digest == digest(str(tender.id), BIDDER, {"1": Decimal("240000.00")}, RESPONSES, bid.nonce)
    bid.replace(provider(), tender, Offer(PRICE, dict(reversed(RESPONSES.items()))))
    assert bid.digest == digest(str(tender.id), BIDDER, PRICE, RESPONSES, bid.nonce)  # key order never counts


# --- amendments ---------------------------------------------------------------------------------------------------


def test_a_bid_submitted_before_an_amendment_opens_only_once_reconfirmed() -> None:
    tender = published()
    bid = bid_on(tender)
    assert bid.opens_with(tender)
    tender.amend(officer(DURING_TENDERING), POLICY, "Clarified scope", RETITLED)
    assert not bid.opens_with(tender)
    bid.reconfirm(provider(), tender)
    assert bid.opens_with(tender) and bid.amendment == 1


def test_a_bid_already_standing_under_the_latest_terms_cannot_be_reconfirmed() -> None:
    tender = published()
    bid = bid_on(tender)
    with pytest.raises(DomainError, match="already stands") as refused:
        bid.reconfirm(provider(), tender)
    assert refused.value.kind is Refusal.CONFLICT


def test_a_bid_submitted_or_replaced_after_an_amendment_answers_it() -> None:
    tender = published()
    earlier = bid_on(tender)
    tender.amend(officer(DURING_TENDERING), POLICY, "Clarified scope", RETITLED)
    assert bid_on(tender, RIVAL).opens_with(tender)
    earlier.replace(provider(), tender, Offer(PRICE, RESPONSES))
    assert earlier.opens_with(tender)


def test_reconfirming_after_the_deadline_is_too_late() -> None:
    tender = published()
    bid = bid_on(tender)
    tender.amend(officer(DURING_TENDERING), POLICY, "Clarified scope", RETITLED)
    with pytest.raises(DomainError, match="deadline passed"):
        bid.reconfirm(provider(AFTER_DEADLINE), tender)
    assert not bid.opens_with(tender)


# --- every event --------------------------------------------------------------------------------------------------


def test_every_bid_event_carries_its_commands_actor_request_and_time() -> None:
    tender = published()
    tender.amend(officer(DURING_TENDERING), POLICY, "Clarified scope", RETITLED)
    contexts = [provider(DURING_TENDERING + timedelta(hours=h)) for h in range(4)]
    bid = Bid.submit(contexts[0], tender, BIDDER, Offer(PRICE, RESPONSES))
    bid.withdraw(contexts[1], tender)
    bid.replace(contexts[2], tender, Offer(PRICE, RESPONSES))
    later = TermsChange(tender_deadline=TENDER_DEADLINE + timedelta(days=1))
    tender.amend(officer(DURING_TENDERING), POLICY, "More time", later)
    bid.reconfirm(contexts[3], tender)
    events = bid.collect_events()
    assert len(events) == 4
    for event, ctx in zip(events, contexts, strict=True):
        assert carries(event, ctx)
