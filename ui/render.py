"""HTML for the product panel, cart and notices.

Every piece of text from the shopper or the catalogue passes through `html.escape`: a product
title is data, never markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

# Scoped to each gr.HTML component by Gradio (css_template); Gradio's theme variables keep
# the cards readable in light and dark mode.
CARD_CSS = """
.card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; }
.card .thumb { height: 64px; border-radius: 6px; margin-bottom: 6px; display: flex;
  align-items: center; justify-content: center; font-size: 1.6em; font-weight: 600;
  background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
.card .title { font-weight: 600; }
.card .price { margin-top: 2px; }
.card .stock { font-size: 0.85em; }
.card .out { color: var(--error-text-color, #b91c1c); font-weight: 600; }
.card .reason { font-size: 0.8em; opacity: 0.75; margin-top: 4px; }
"""

PANEL_CSS = """
.detail { border-left: 3px solid var(--color-accent); padding: 4px 10px; }
.detail .title { font-weight: 600; }
.cart-list { margin: 0; padding-left: 1.2em; }
.total { font-weight: 600; margin-top: 4px; }
.empty { opacity: 0.7; }
.notice { border: 1px solid var(--color-accent); border-radius: 8px; padding: 8px 12px;
  background: var(--color-accent-soft); }
"""

HANDOFF_NOTICE = (
    "A member of our team will take over this conversation. "
    "Please stay here: they will reply in this chat."
)


def esc(value: Any) -> str:
    """Text (of any type) made safe to place inside HTML, quotes included."""
    return html.escape("" if value is None else str(value), quote=True)


def money(price: Any, currency: Any) -> str:
    """'59.00 USD'; a price that is not a number is shown as given."""
    try:
        amount = f"{float(price):.2f}"
    except (TypeError, ValueError):
        amount = str(price)
    return f"{amount} {currency or ''}".strip()


def stock_text(stock: Any) -> str:
    try:
        count = int(stock)
    except (TypeError, ValueError):
        return ""
    return f"{count} in stock" if count > 0 else "out of stock"


def card_html(card: Any) -> str:
    """One product card: an image placeholder, title, price, stock (or 'out of stock'), reason.

    The catalogue has no pictures, so the placeholder shows the category's initials.
    """
    stock = stock_text(getattr(card, "stock", None))
    stock_class = "stock out" if stock == "out of stock" else "stock"
    category = str(getattr(card, "category", "") or "")
    initials = "".join(word[:1] for word in category.split("-")[:2]).upper() or "?"
    parts = [
        f'<div class="card" data-item-id="{esc(card.item_id)}">',
        f'<div class="thumb" role="img" aria-label="{esc(category or "product")}">'
        f"{esc(initials)}</div>",
        f'<div class="title">{esc(card.title)}</div>',
        f'<div class="price">{esc(money(card.price, card.currency))}</div>',
    ]
    if stock:
        parts.append(f'<div class="{stock_class}">{esc(stock)}</div>')
    reason = getattr(card, "reason", "")
    if reason:
        parts.append(f'<div class="reason">{esc(reason)}</div>')
    parts.append("</div>")
    return "".join(parts)


def heading_html(text: str) -> str:
    return f"<h3>{esc(text)}</h3>"


def detail_html(product: Any) -> str:
    """The full catalogue entry of a product the shopper chose to view."""
    if product is None:
        return ""
    attributes = getattr(product, "attributes", None) or {}
    rows = [
        '<div class="detail">',
        f'<div class="title">{esc(product.title)}</div>',
        f"<div>{esc(money(product.price, getattr(product, 'currency', '')))}"
        f" &middot; {esc(stock_text(getattr(product, 'stock', None)))}</div>",
    ]
    brand, category = getattr(product, "brand", ""), getattr(product, "category", "")
    if brand or category:
        label = " &middot; ".join(esc(x) for x in (brand, category.replace("-", " ")) if x)
        rows.append(f"<div>{label}</div>")
    description = getattr(product, "description", "")
    if description:
        rows.append(f"<p>{esc(description)}</p>")
    if attributes:
        pairs = ", ".join(f"{esc(k)}: {esc(v)}" for k, v in attributes.items())
        rows.append(f"<div>{pairs}</div>")
    rows.append("</div>")
    return "".join(rows)


def cart_html(products: Iterable[Any]) -> str:
    """The cart as a list of titles and prices with a total per currency."""
    products = [p for p in products if p is not None]
    if not products:
        return '<div class="empty">Your cart is empty.</div>'
    items, totals = [], {}
    for p in products:
        items.append(f"<li>{esc(p.title)} &mdash; {esc(money(p.price, p.currency))}</li>")
        try:
            totals[p.currency] = totals.get(p.currency, 0.0) + float(p.price)
        except (TypeError, ValueError):
            pass
    total = " + ".join(money(amount, currency) for currency, amount in totals.items())
    return (
        f'<ul class="cart-list">{"".join(items)}</ul><div class="total">Total: {esc(total)}</div>'
    )


def notice_html(handed_off: bool) -> str:
    return f'<div class="notice" role="status">{esc(HANDOFF_NOTICE)}</div>' if handed_off else ""


def sources_line(faq_ids: Iterable[str]) -> str:
    ids = [str(i) for i in faq_ids if i]
    return f"Sources: {', '.join(ids)}" if ids else ""


def order_html(order: dict | None) -> str:
    """Order facts as a small table (the agent tab); nothing when no order is verified."""
    if not order:
        return '<div class="empty">No verified order in this conversation.</div>'
    rows = "".join(
        f"<tr><th>{esc(key.replace('_', ' '))}</th><td>{esc(value)}</td></tr>"
        for key, value in order.items()
        if value not in (None, "")
    )
    return f'<table class="order">{rows}</table>'
