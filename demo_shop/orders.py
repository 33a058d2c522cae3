"""Seeded order history of the demo shop (orders 10001.., August to November 2026).

Statuses follow the dates: the snapshot is taken on SNAPSHOT_DATE, so recent orders are still
processing or in transit and older ones are delivered, with some cancelled or returned.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

SNAPSHOT_DATE = date(2026, 11, 30)
FIRST_ORDER_DATE = date(2026, 8, 3)
FIRST_ORDER_ID = 10001
ORDER_COUNT = 200

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas",
    "Mia", "Logan", "Amelia", "James", "Harper", "Benjamin", "Evelyn", "Elijah", "Abigail",
    "Daniel", "Emily", "Henry", "Ella", "Jackson", "Grace", "Samuel", "Chloe", "Owen", "Zoe",
    "Leo", "Nora", "Mateo", "Lily", "Diego", "Sofia", "Wei", "Mei", "Hiroshi", "Yuki", "Priya",
    "Arjun", "Fatima", "Omar", "Lucia", "Carmen", "Javier", "Ingrid", "Lars", "Aisha", "Kofi",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Lopez", "Wilson",
    "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
    "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott",
    "Nguyen", "Chen", "Wang", "Kim", "Patel", "Singh", "Tanaka", "Okafor", "Novak", "Larsen",
    "Fischer", "Rossi", "Dubois", "Silva", "Murphy", "Kowalski", "Hughes", "Bennett", "Foster",
)  # fmt: skip
STREET_NAMES = (
    "Maple", "Oak", "Cedar", "Pine", "Elm", "Willow", "Birch", "Aspen", "Juniper", "Sycamore",
    "Hillcrest", "Lakeview", "Riverside", "Meadow", "Sunset", "Highland", "Orchard", "Spruce",
)  # fmt: skip
STREET_TYPES = ("Street", "Avenue", "Road", "Drive", "Lane", "Court", "Way", "Place")
US_CITIES = (
    ("Denver", "CO", "802"), ("Boulder", "CO", "803"), ("Portland", "OR", "972"),
    ("Seattle", "WA", "981"), ("Austin", "TX", "787"), ("Chicago", "IL", "606"),
    ("Boston", "MA", "021"), ("Minneapolis", "MN", "554"), ("Salt Lake City", "UT", "841"),
    ("San Diego", "CA", "921"), ("Sacramento", "CA", "958"), ("Madison", "WI", "537"),
    ("Asheville", "NC", "288"), ("Burlington", "VT", "054"), ("Phoenix", "AZ", "850"),
    ("Atlanta", "GA", "303"), ("Brooklyn", "NY", "112"), ("Pittsburgh", "PA", "152"),
)  # fmt: skip
INTERNATIONAL = (
    ("Toronto, ON M5V 2T6", "Canada"),
    ("Vancouver, BC V6B 1A1", "Canada"),
    ("Manchester M1 4BT", "United Kingdom"),
    ("10115 Berlin", "Germany"),
    ("1011 AB Amsterdam", "Netherlands"),
    ("Melbourne VIC 3000", "Australia"),
)
CARRIERS = {"standard": "ParcelPoint", "express": "SwiftPost Express", "intl": "GlobeLine"}


def _business_days_after(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _next_business_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _customers(rng: random.Random, count: int) -> list[dict]:
    customers = []
    used_emails: set[str] = set()
    while len(customers) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        style = rng.randrange(4)
        domain = rng.choice(("example.com", "example.com", "example.org"))
        if style == 0:
            local = f"{first}.{last}"
        elif style == 1:
            local = f"{first}{last}{rng.randint(1, 99)}"
        elif style == 2:
            local = f"{first[0]}.{last}"
        else:
            local = f"{first}_{last[0]}{rng.randint(70, 99)}"
        email = f"{local.lower()}@{domain}"
        if email in used_emails:
            continue
        used_emails.add(email)
        if rng.random() < 0.9:
            city, state, zip3 = rng.choice(US_CITIES)
            street = (
                f"{rng.randint(12, 9890)} {rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"
            )
            address = f"{street}, {city}, {state} {zip3}{rng.randint(10, 99)}"
            international = False
        else:
            place, country = rng.choice(INTERNATIONAL)
            address = f"{rng.randint(2, 240)} {rng.choice(STREET_NAMES)} Road, {place}, {country}"
            international = True
        customers.append(
            {"name": f"{first} {last}", "email": email, "address": address, "intl": international}
        )
    return customers


def _order_dates(rng: random.Random, count: int) -> list[date]:
    """Order dates between FIRST_ORDER_DATE and the day before the snapshot, busier in November."""
    days = []
    day = FIRST_ORDER_DATE
    while day < SNAPSHOT_DATE:
        weight = 1.0
        if day.month == 11:
            weight = 2.2
        if date(2026, 11, 27) <= day <= date(2026, 11, 29):  # Black Friday weekend
            weight = 6.0
        days.append((day, weight))
        day += timedelta(days=1)
    picked = rng.choices([d for d, _ in days], weights=[w for _, w in days], k=count)
    # The newest orders must exist so that some are still processing at the snapshot.
    picked[-3:] = [SNAPSHOT_DATE - timedelta(days=1)] * 3
    return sorted(picked)


def _tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "ParcelPoint":
        return "PP" + "".join(rng.choice("0123456789") for _ in range(10)) + "US"
    if carrier == "SwiftPost Express":
        return "SPX" + "".join(rng.choice("0123456789") for _ in range(9))
    return "GL" + "".join(rng.choice("0123456789") for _ in range(12))


def build_orders(rng: random.Random, products: list[dict]) -> list[dict]:
    customers = _customers(rng, 150)
    orderable = [p for p in products if p["stock"] > 0]
    orders = []
    for index, order_date in enumerate(_order_dates(rng, ORDER_COUNT)):
        customer = rng.choice(customers)
        n_lines = rng.choices((1, 2, 3, 4), weights=(50, 30, 14, 6))[0]
        lines = rng.sample(orderable, n_lines)
        items = []
        total_cents = 0
        for product in lines:
            quantity = 2 if rng.random() < 0.12 else 1
            if product["_type"] in ("running-socks", "hiking-socks") and rng.random() < 0.4:
                quantity = 2
            cents = int(round(product["price"] * 100))
            total_cents += cents * quantity
            items.append(
                {
                    "item_id": product["item_id"],
                    "title": product["title"],
                    "quantity": quantity,
                    "price": product["price"],
                }
            )
        if customer["intl"]:
            method = "intl"
        else:
            method = "express" if rng.random() < 0.18 else "standard"
        carrier = CARRIERS[method]
        shipped = _next_business_day(order_date + timedelta(days=rng.choice((0, 0, 1))))
        transit = {"standard": rng.randint(3, 5), "express": rng.randint(1, 2)}.get(
            method, rng.randint(7, 14)
        )
        delivered = _business_days_after(shipped, transit)
        roll = rng.random()
        if shipped >= SNAPSHOT_DATE:
            status = "cancelled" if roll < 0.1 else "processing"
        elif roll < 0.06:
            status = "cancelled"
        elif delivered >= SNAPSHOT_DATE:
            status = "shipped"
        elif roll < 0.14 and delivered + timedelta(days=12) < SNAPSHOT_DATE:
            status = "returned"
        else:
            status = "delivered"
        has_shipped = status in ("shipped", "delivered", "returned")
        orders.append(
            {
                "order_id": str(FIRST_ORDER_ID + index),
                "email": customer["email"],
                "status": status,
                "order_date": order_date.isoformat(),
                "shipped_date": shipped.isoformat() if has_shipped else None,
                "delivered_date": (
                    delivered.isoformat() if status in ("delivered", "returned") else None
                ),
                "tracking_number": _tracking(rng, carrier) if has_shipped else None,
                "carrier": carrier if has_shipped else None,
                "shipping_address": f"{customer['name']}, {customer['address']}",
                "items": items,
                "total": round(total_cents / 100.0, 2),
                "currency": "USD",
            }
        )
    return orders
