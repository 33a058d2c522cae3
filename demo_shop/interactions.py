"""Seeded simulation of browsing sessions (view / cart / purchase events).

Each simulated shopper has category affinities, a few favourite brands and a price band.
A session stays mostly inside the shopper's categories; after an item with "go-together"
partners (running shoe -> socks / belt, tent -> sleeping bag / pad, ...) the next item is often
one of those partners, and partners are carted more often. About 30% of sessions belong to
returning customers with a user_id and several sessions each.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from demo_shop.catalogue import CATEGORIES, TYPES_BY_KEY

SESSION_COUNT = 6000
RETURNING_SHARE = 0.30
START = datetime(2026, 9, 1)
DAYS = 91  # 2026-09-01 .. 2026-11-30
# More sessions in the evening than at night (UTC hours, weights).
HOUR_WEIGHTS = (
    2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 6, 7, 8, 9, 10, 10, 9, 6, 4,
)  # fmt: skip


class _Index:
    """Lookups over the catalogue that the simulation needs."""

    def __init__(self, products: list[dict], rng: random.Random):
        self.products = products
        self.by_category: dict[str, list[dict]] = {c: [] for c in CATEGORIES}
        self.by_type: dict[str, list[dict]] = {}
        for product in products:
            self.by_category[product["category"]].append(product)
            self.by_type.setdefault(product["_type"], []).append(product)
        # Price position of each item inside its category: 0 = cheapest, 1 = dearest.
        self.price_pos: dict[str, float] = {}
        for items in self.by_category.values():
            ranked = sorted(items, key=lambda p: (p["price"], p["item_id"]))
            for rank, product in enumerate(ranked):
                self.price_pos[product["item_id"]] = rank / max(1, len(ranked) - 1)
        # A latent popularity per item, so some products are clear best-sellers.
        self.popularity = {p["item_id"]: math.exp(rng.gauss(0.0, 0.7)) for p in products}
        self.brands_by_category: dict[str, list[str]] = {
            c: sorted({p["brand"] for p in items}) for c, items in self.by_category.items()
        }


def _new_shopper(rng: random.Random, index: _Index) -> dict:
    n_cats = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
    cats = rng.sample(CATEGORIES, n_cats)
    weights = [rng.uniform(0.5, 1.0) for _ in cats]
    brands = []
    for cat in cats:
        brands.extend(rng.sample(index.brands_by_category[cat], rng.choice((1, 1, 2))))
    band = rng.choices((0.15, 0.5, 0.85), weights=(4, 4, 2))[0]
    return {"cats": cats, "cat_weights": weights, "brands": brands, "band": band}


def _weight(shopper: dict, product: dict, index: _Index) -> float:
    fit = math.exp(-((index.price_pos[product["item_id"]] - shopper["band"]) ** 2) / 0.08)
    brand = 3.0 if product["brand"] in shopper["brands"] else 1.0
    stock = 0.4 if product["stock"] == 0 else 1.0
    return index.popularity[product["item_id"]] * (0.15 + fit) * brand * stock


def _pick(
    rng: random.Random, key: str, candidates: list[dict], shopper: dict, index: _Index, avoid: set
):
    # A shopper's weights over a pool never change, so compute them once per pool.
    cache = shopper.setdefault("weights", {})
    if key not in cache:
        cache[key] = [_weight(shopper, p, index) for p in candidates]
    weights = [
        0.0 if p["item_id"] in avoid else w for p, w in zip(candidates, cache[key], strict=True)
    ]
    if not any(weights):
        weights = cache[key]
    return rng.choices(candidates, weights=weights)[0]


def _session_events(rng: random.Random, shopper: dict, index: _Index) -> list[tuple[str, str]]:
    """(item_id, event) pairs of one session, in order."""
    n_views = rng.choices(range(2, 13), weights=(14, 16, 15, 12, 10, 8, 7, 6, 5, 4, 3))[0]
    category = rng.choices(shopper["cats"], weights=shopper["cat_weights"])[0]
    viewed: list[dict] = []
    seen: set[str] = set()
    events: list[tuple[str, str]] = []
    carted: list[dict] = []
    for _ in range(n_views):
        partner_types = []
        if viewed:
            partner_types = [
                k for k in TYPES_BY_KEY[viewed[-1]["_type"]].complements if k in index.by_type
            ]
        complement = bool(partner_types) and rng.random() < (0.55 if carted else 0.3)
        if complement:
            ptype = rng.choice(partner_types)
            product = _pick(rng, "type:" + ptype, index.by_type[ptype], shopper, index, seen)
        else:
            roll = rng.random()
            if roll < 0.12:
                category = rng.choice(CATEGORIES)  # wander off
            elif roll < 0.27:
                category = rng.choices(shopper["cats"], weights=shopper["cat_weights"])[0]
            product = _pick(rng, category, index.by_category[category], shopper, index, seen)
        viewed.append(product)
        seen.add(product["item_id"])
        events.append((product["item_id"], "view"))
        if product["stock"] == 0 or product in carted:
            continue
        p_cart = 0.08
        if product["brand"] in shopper["brands"]:
            p_cart += 0.07
        if abs(index.price_pos[product["item_id"]] - shopper["band"]) < 0.2:
            p_cart += 0.05
        if complement:
            p_cart += 0.15
        if rng.random() < p_cart:
            carted.append(product)
            events.append((product["item_id"], "cart"))
    if carted and rng.random() < 0.5:
        for product in carted:
            if rng.random() < 0.85:
                events.append((product["item_id"], "purchase"))
    return events


def simulate(rng: random.Random, products: list[dict]) -> list[tuple[str, str, str, str, str]]:
    """Rows (session_id, user_id, item_id, event, timestamp), sessions in time order."""
    index = _Index(products, rng)
    n_returning = int(SESSION_COUNT * RETURNING_SHARE)
    owners: list[str] = []
    user_number = 0
    while len(owners) < n_returning:
        user_number += 1
        owners.extend([f"u{user_number:05d}"] * rng.randint(2, 6))
    owners = owners[:n_returning] + [""] * (SESSION_COUNT - n_returning)
    rng.shuffle(owners)
    shoppers: dict[str, dict] = {}
    sessions = []
    for owner in owners:
        if owner:
            shopper = shoppers.setdefault(owner, _new_shopper(rng, index))
        else:
            shopper = _new_shopper(rng, index)
        day = rng.randrange(DAYS)
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        if day == DAYS - 1:
            hour = min(hour, 21)  # keep the last day's sessions inside November
        start = START + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        sessions.append((start, owner, _session_events(rng, shopper, index)))
    sessions.sort(key=lambda s: s[0])
    rows = []
    for number, (start, owner, events) in enumerate(sessions, start=1):
        session_id = f"s{number:06d}"
        moment = start
        for item_id, event in events:
            gap = {"view": (8, 150), "cart": (4, 40), "purchase": (30, 240)}[event]
            moment += timedelta(seconds=rng.randint(*gap))
            stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append((session_id, owner, item_id, event, stamp))
    return rows
