"""Seeded labelled dialogues: user phrasings for every intent with reference assistant replies.

Replies are built from the same FAQ records, catalogue and orders that the generator writes,
so every faq_id, item_id and order detail in a reply exists in the data files. User texts are
unique across the whole set (after lower-casing and dropping punctuation), which keeps the
train / validation / test splits free of shared phrasings.

Reference-reply conventions (also documented in docs/data-format.md):
- order details are given only when the user has supplied both the order id and the matching
  email address; with an id alone the assistant asks for the email, with neither it asks for
  both;
- product lists show in-stock items, most popular first (popularity = views + 3 x carts +
  5 x purchases in interactions.csv), at most five;
- FAQ replies quote the FAQ answer, sometimes after a short sentence that applies it to the
  question (a country, a basket total, a size).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from datetime import date

from demo_shop.catalogue import (
    APPAREL_ORDER,
    CATEGORY_PHRASES,
    TYPES_BY_KEY,
    is_waterproof,
    size_fits,
)
from demo_shop.faq import SHIPPING_COUNTRIES

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
SUPPORT_HOURS_SHORT = "Monday to Friday 8 am-8 pm, Saturday 9 am-5 pm MT"

# How many single-turn English dialogues each intent gets (before multi-turn and es/zh ones).
PER_INTENT = 56

EN_PREFIXES = (
    "Hi, ", "Hello, ", "Hey, ", "Hi there! ", "Good morning, ", "Quick question: ",
    "Excuse me, ", "Sorry to bother you, but ", "Hello! I have a question. ", "hey ",
    "Hi team, ", "Good afternoon. ", "Hiya, ", "Hello there, ",
)  # fmt: skip
EN_SUFFIXES = (
    " Thanks!", " Thank you.", " thx", " Thanks in advance.", " Please let me know.",
    " Cheers.", " Thanks a lot!", " Appreciate it.", " ty",
)  # fmt: skip
ES_PREFIXES = ("Hola, ", "Buenas, ", "Buenos días, ", "Una pregunta: ", "Hola. ", "Disculpe, ")
ES_SUFFIXES = (" Gracias.", " ¡Gracias!", " Saludos.", " Muchas gracias.")
ZH_PREFIXES = ("你好，", "您好，", "请问", "问一下，", "你好！", "打扰一下，")
ZH_SUFFIXES = ("谢谢", "谢谢！", "麻烦了", "多谢")

NOT_SHIPPED_TO = ("Brazil", "India", "Mexico", "South Africa", "Argentina", "Turkey", "Egypt")
COUNTRIES_ES = (
    "Canadá", "España", "Alemania", "Francia", "Italia", "el Reino Unido", "Japón",
    "Australia", "Suiza", "Portugal", "Irlanda", "los Países Bajos", "Noruega",
)  # fmt: skip
COUNTRIES_ZH = (
    "加拿大", "英国", "德国", "法国", "日本", "澳大利亚", "新加坡", "韩国", "西班牙", "意大利",
    "新西兰", "瑞士", "挪威",
)  # fmt: skip
MEN_US_TO_EU = {"7": 40, "8": 41, "8.5": 42, "9.5": 43, "10": 44, "11": 45, "12": 46}
MEN_CHEST = (("S", 86, 94), ("M", 94, 102), ("L", 102, 110), ("XL", 110, 118), ("XXL", 118, 126))
FAKE_CODES = ("SPRING20", "RUN15", "HIKE10", "FALL25", "SAVE5NOW", "TRAIL12")

# ---------------------------------------------------------------------------------------
# English FAQ phrasings: intent -> topic -> templates. Placeholders are filled by _fill.
# ---------------------------------------------------------------------------------------
FAQ_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "shipping_info": {
        "shipping-times": (
            "How long does shipping take?",
            "How long will delivery take?",
            "When would my order arrive if I order today?",
            "how many days is standard delivery",
            "What are your delivery times?",
            "If I order the {short} now, when will it get here?",
            "I need it by next week. How fast do you deliver?",
            "How long does standard shipping usually take within the US?",
            "delivery time?",
            "How quickly do you ship to {us_city}?",
            "What's the usual delivery time for {cat}?",
        ),
        "shipping-costs": (
            "How much is shipping?",
            "Do you offer free shipping?",
            "What's the minimum order for free delivery?",
            "How much do you charge for delivery?",
            "Is there a delivery fee?",
            "My basket is {basket} dollars, do I pay for shipping?",
            "What would shipping cost on a {basket} USD order?",
            "Is shipping free if I spend {basket}?",
            "shipping cost?",
        ),
        "express-shipping": (
            "Do you have express delivery?",
            "Can I get next-day delivery?",
            "I need it fast, is there an express option?",
            "How much is express shipping?",
            "Can express shipping go to Hawaii?",
            "Is there a faster shipping option than standard?",
        ),
        "international-shipping": (
            "Do you ship to {country}?",
            "Can I order from {country}?",
            "Do you deliver internationally?",
            "How much is shipping to {country}?",
            "Will I have to pay customs if I order from {country}?",
            "how long does delivery to {country} take",
            "I live in {country}. Can you send my order there?",
            "Do you ship to {nocountry}?",
            "Can I get delivery to {nocountry}?",
        ),
        "shipping-carriers": (
            "Which courier do you use?",
            "What carrier will deliver my package?",
            "Do you ship with ParcelPoint?",
            "who delivers your parcels",
        ),
        "dispatch-time": (
            "When will my order ship?",
            "If I order before noon, does it ship today?",
            "What's the cut-off time for same-day dispatch?",
            "Do you ship on weekends?",
            "How soon do you send orders out?",
        ),
        "po-box-delivery": (
            "Can you deliver to a PO box?",
            "Do you ship to APO addresses?",
            "I have a PO box, can a tent be delivered there?",
        ),
        "missed-delivery": (
            "What happens if I'm not home when the parcel arrives?",
            "I missed the delivery, what now?",
            "The courier left a notice and I wasn't home. What do I do?",
        ),
    },
    "return_request": {
        "return-policy": (
            "What's your return policy?",
            "Can I return something I bought?",
            "How many days do I have to return an item?",
            "Can I return shoes I've only tried on at home?",
            "Can I send back {cat} if they don't fit?",
            "return policy?",
            "Is it possible to return the {short} if I don't like it?",
            "What are the conditions for returns?",
        ),
        "how-to-return": (
            "How do I return an item?",
            "I want to return the {title} I ordered. How?",
            "Where do I print the return label?",
            "how do i start a return",
            "I need to return {cat}, what are the steps?",
            "Can I return something if I checked out as a guest?",
            "Where can I drop off my return?",
            "I'd like to send back the {short}, how does that work?",
        ),
        "return-shipping-cost": (
            "Are returns free?",
            "Do I have to pay for the return label?",
            "Who pays return shipping from {country}?",
            "Is return shipping free?",
        ),
        "exchanges": (
            "Can I exchange my {short} for a bigger size?",
            "The shoes are too small, can I swap them for a {eu}?",
            "Can I exchange an item for a different colour?",
            "how do i exchange for another size",
            "Can I swap the {short} for another colour?",
        ),
        "non-returnable-items": (
            "Can I return socks?",
            "Can gift cards be returned?",
            "Can I return a final sale item?",
            "Which products can't be returned?",
        ),
        "return-electronics": (
            "Can I return headphones I've opened?",
            "I opened the {tech}, can I still return it?",
            "Is there a return window for electronics?",
            "Can I return earbuds?",
        ),
        "return-gifts": (
            "I got a gift I don't like, can I return it?",
            "How do I return a present without the buyer finding out?",
            "Can I return something I received as a gift?",
        ),
    },
    "refund_status": {
        "refund-timing": (
            "When will I get my refund?",
            "How long do refunds take?",
            "I sent back my return last week, when do I get my money back?",
            "How long until the refund shows on my card?",
            "how long does a paypal refund take",
            "My return arrived at your warehouse. When is the refund?",
            "When will my money be back on my credit card?",
            "refund time?",
        ),
        "refund-method": (
            "Will the refund go back to my card?",
            "Can I get store credit instead of a refund?",
            "I paid with a gift card, how will I be refunded?",
            "Do you refund to PayPal?",
        ),
        "refund-shipping-fee": (
            "Do you refund the shipping cost?",
            "Will I get the delivery fee back when I return something?",
            "Is the shipping charge refunded too?",
        ),
        "refund-not-received": (
            "I still haven't received my refund.",
            "It's been two weeks and no refund.",
            "where is my refund??",
            "You said my refund was processed but I don't see it on my statement.",
            "The refund email came ages ago but there's no money on my account.",
        ),
        "partial-refund": (
            "Why was my refund less than I paid?",
            "I only got part of my money back.",
            "Do I get a refund if I return only one item from my order?",
        ),
    },
    "payment_problem": {
        "payment-methods": (
            "What payment methods do you accept?",
            "Can I pay with PayPal?",
            "Do you take Apple Pay?",
            "Can I pay cash on delivery?",
            "Is American Express accepted?",
            "can i pay by google pay",
            "Which cards do you accept?",
        ),
        "card-declined": (
            "My card keeps getting declined.",
            "Payment failed at checkout, why?",
            "The payment won't go through.",
            "Why was my Visa declined?",
            "checkout says my card was refused",
            "I can't pay, it keeps saying transaction declined.",
        ),
        "double-charge": (
            "I was charged twice for order {oid}.",
            "I see two charges on my card for one order.",
            "You charged me double!",
            "Why is there a duplicate payment on my statement?",
        ),
        "payment-timing": (
            "When will my card be charged?",
            "Do you charge when I order or when it ships?",
            "There's a pending charge for my cancelled order.",
        ),
        "pay-later": (
            "Can I pay in installments?",
            "Do you have buy now pay later?",
            "Can I split the payment for a {big_price} dollar order?",
            "Is there an option to pay in 4 parts?",
        ),
        "currency": (
            "Can I pay in euros?",
            "What currency are your prices in?",
            "Will I be charged in Canadian dollars?",
        ),
        "gift-cards": (
            "How do gift cards work?",
            "Do your gift cards expire?",
            "Can I use a gift card and my credit card together?",
            "Can I buy a gift card for a friend?",
        ),
    },
    "size_help": {
        "size-guide": (
            "Where is your size chart?",
            "Do you have a size guide?",
            "How do I know which size to order?",
            "What size should I get in the {wear}?",
            "size chart for {catwear}?",
            "Not sure about sizing for the {wear}, can you help?",
        ),
        "shoe-sizes": (
            "I'm a US {us} in men's, what EU size is that?",
            "What's a men's US {us} in your sizes?",
            "Do your running shoes run small?",
            "Should I size up for running shoes?",
            "How do EU and UK shoe sizes compare?",
            "I wear US {us}. Which size do I pick for the {shoe}?",
        ),
        "apparel-sizes": (
            "My chest is {chest} cm, which size t-shirt should I get?",
            "I measure {chest} cm around the chest, what size jacket?",
            "How do your t-shirts fit?",
            "What are the measurements for a medium?",
            "Are your jackets true to size?",
        ),
        "between-sizes": (
            "I'm between M and L, which one should I take?",
            "I'm between EU 42 and 43 for the {shoe}. Which one?",
            "between sizes for a jacket - go bigger or smaller?",
            "Size up or down if I'm in between?",
        ),
        "hiking-boot-fit": (
            "How should hiking boots fit?",
            "Should hiking boots be a size bigger?",
            "Any tips for sizing the {boot}?",
            "How much room should I leave in walking boots?",
        ),
    },
    "discount_question": {
        "discount-codes": (
            "How do I use a promo code?",
            "Where do I enter my discount code?",
            "My code {code} isn't working.",
            "Can I use two coupons on one order?",
            "I forgot to apply my discount code to order {oid}, can you add it?",
            "Can I use a voucher on a gift card?",
            "Where's the coupon box at checkout?",
        ),
        "welcome-discount": (
            "Do you have a first-order discount?",
            "Is there a discount for new customers?",
            "How do I get the WELCOME10 code?",
            "Any discount if I sign up for the newsletter?",
        ),
        "student-discount": (
            "Do you do student discounts?",
            "I'm a student, can I get money off?",
            "Is there a student code?",
        ),
        "price-adjustment": (
            "The {short} went on sale right after I bought it. Can I get the difference?",
            "Do you price match?",
            "The price dropped two days after my order {oid}, can I get the difference back?",
            "Another shop sells the {short} cheaper, will you match it?",
        ),
        "sales-events": (
            "When is your next sale?",
            "Do you do Black Friday deals?",
            "Are there any sales coming up?",
            "Will {cat} be on sale soon?",
        ),
    },
    "account_help": {
        "create-account": (
            "How do I create an account?",
            "How do I sign up?",
            "What's the benefit of making an account?",
            "I want to register, how?",
        ),
        "reset-password": (
            "I forgot my password.",
            "The password reset link isn't working.",
            "How do I reset my password?",
            "The reset password email never arrived.",
            "cant remember my password",
        ),
        "account-locked": (
            "My account is locked.",
            "It says too many login attempts, what do I do?",
            "I can't log in, my account got blocked.",
        ),
        "guest-checkout": (
            "Can I order without an account?",
            "Do I need to register to buy something?",
            "Can I check out as a guest?",
        ),
        "change-email": (
            "How do I change my email address?",
            "I want to update the saved address in my account.",
            "How do I change the name on my account?",
            "Where can I edit my profile?",
        ),
        "newsletter": (
            "How do I unsubscribe from your emails?",
            "Stop sending me newsletters please.",
            "How do I sign up for the newsletter?",
            "I get too many marketing emails from you.",
        ),
        "delete-account": (
            "Please delete my account.",
            "How do I close my account?",
            "I want to remove my Fernway account.",
        ),
    },
    "warranty_info": {
        "warranty-coverage": (
            "What's the warranty on {cat}?",
            "Is there a warranty on the {title}?",
            "How long is the warranty for shoes?",
            "Does the warranty cover wear and tear?",
            "How long are your products guaranteed?",
            "warranty period for the {short}?",
        ),
        "warranty-claim": (
            "My {short} broke after {months} months, what can I do?",
            "The zip on my backpack broke.",
            "The sole came off my boots after three months.",
            "How do I make a warranty claim?",
            "The seam on my {short} split, is that covered?",
        ),
        "warranty-electronics": (
            "My earbuds stopped charging.",
            "My watch battery dies really fast.",
            "The {tech} won't turn on anymore. Is it under warranty?",
            "My headphones stopped working, what now?",
        ),
        "repairs": (
            "Can you fix a broken zipper on my old jacket?",
            "Do you resole hiking boots?",
            "My tent pole snapped and it's 4 years old. Can you repair it?",
            "Do you offer repairs for items out of warranty?",
        ),
    },
    "privacy_info": {
        "privacy-data": (
            "What data do you collect about me?",
            "Do you store my credit card number?",
            "What do you do with my personal information?",
            "What information do you keep about customers?",
        ),
        "data-deletion": (
            "Delete all my personal data.",
            "I want to erase my data under GDPR.",
            "How can I get a copy of my data?",
            "How do I make you forget my information?",
        ),
        "cookies": (
            "What cookies do you use?",
            "How do I turn off tracking cookies?",
            "Can I reject analytics cookies?",
        ),
        "data-sharing": (
            "Do you sell my data?",
            "Who do you share my address with?",
            "Do you give my email to advertisers?",
        ),
        "chat-transcripts": (
            "Do you save this chat?",
            "Is this conversation recorded?",
            "How long do you keep chat logs?",
        ),
    },
    "contact_info": {
        "contact-us": (
            "How can I contact you?",
            "What's your phone number?",
            "What's your customer service email?",
            "Is there a number I can call?",
            "How do I reach customer support?",
            "Can I email you?",
            "best way to get in touch with you?",
        ),
        "opening-hours": (
            "What are your opening hours?",
            "Are you open on Sundays?",
            "When is customer service available?",
            "What time does the store close on Saturday?",
            "Is support open today?",
            "What time do your agents start in the morning?",
        ),
        "store-location": (
            "Where is your store?",
            "Do you have a physical shop?",
            "Can I pick up my order in store?",
            "What's your address?",
            "Is there a Fernway shop in Boulder?",
        ),
        "complaints": (
            "How do I give feedback?",
            "Where can I send a complaint?",
            "Who do I write to with a suggestion?",
        ),
    },
}

# Order-route intents also have general policy questions answered from one FAQ entry.
ORDER_FAQ_PHRASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "order_status": (
        "order-tracking",
        (
            "How do I track my order?",
            "Where can I find my tracking number?",
            "How can I follow my delivery?",
            "Do you send tracking numbers?",
            "Is there a tracking link for orders?",
            "How do I see where my package is?",
        ),
    ),
    "cancel_order": (
        "cancel-order",
        (
            "Can I cancel an order after placing it?",
            "Is it possible to cancel an order?",
            "What if I want to cancel after it ships?",
            "How long do I have to cancel an order?",
        ),
    ),
    "change_address": (
        "change-address",
        (
            "Can I change the delivery address after ordering?",
            "How do I change the shipping address for an order I just placed?",
            "Is it possible to update the address on an order?",
            "Can you redirect a parcel that already shipped?",
        ),
    ),
}

# Spanish and Chinese phrasings: topic -> (intent, templates).
ES_PHRASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "shipping-times": (
        "shipping_info",
        (
            "¿Cuánto tarda el envío?",
            "¿En cuántos días llega mi pedido?",
            "¿Cuánto tiempo tarda la entrega estándar?",
            "Si compro hoy, ¿cuándo me llega?",
            "¿Cuáles son los plazos de entrega?",
        ),
    ),
    "shipping-costs": (
        "shipping_info",
        (
            "¿Cuánto cuesta el envío?",
            "¿El envío es gratis?",
            "¿A partir de qué importe el envío es gratuito?",
            "¿Cuánto cobran por el envío exprés?",
        ),
    ),
    "international-shipping": (
        "shipping_info",
        (
            "¿Envían a {country}?",
            "¿Hacen envíos internacionales?",
            "¿Cuánto cuesta enviar un pedido a {country}?",
            "¿Tendré que pagar aduana si pido desde {country}?",
        ),
    ),
    "return-policy": (
        "return_request",
        (
            "¿Cuál es su política de devoluciones?",
            "¿Puedo devolver un producto?",
            "¿Cuántos días tengo para devolver algo?",
            "¿Las devoluciones son gratis?",
        ),
    ),
    "how-to-return": (
        "return_request",
        (
            "¿Cómo hago una devolución?",
            "Quiero devolver unas zapatillas, ¿qué tengo que hacer?",
            "¿Dónde imprimo la etiqueta de devolución?",
            "¿Cómo devuelvo un pedido si compré como invitado?",
        ),
    ),
    "refund-timing": (
        "refund_status",
        (
            "¿Cuándo recibiré mi reembolso?",
            "¿Cuánto tarda el reembolso?",
            "Ya devolví mi pedido, ¿cuándo me devuelven el dinero?",
            "¿Cuánto tarda en llegar el reembolso a mi tarjeta?",
        ),
    ),
    "payment-methods": (
        "payment_problem",
        (
            "¿Qué formas de pago aceptan?",
            "¿Puedo pagar con PayPal?",
            "¿Aceptan Apple Pay?",
            "¿Se puede pagar contra reembolso?",
            "¿Puedo pagar a plazos?",
        ),
    ),
    "order-tracking": (
        "order_status",
        (
            "¿Cómo puedo rastrear mi pedido?",
            "¿Dónde veo el seguimiento de mi paquete?",
            "¿Cómo sé dónde está mi pedido?",
        ),
    ),
    "cancel-order": (
        "cancel_order",
        (
            "¿Puedo cancelar mi pedido?",
            "Quiero cancelar un pedido que hice ayer, ¿es posible?",
            "¿Cómo cancelo una compra?",
        ),
    ),
    "change-address": (
        "change_address",
        (
            "¿Puedo cambiar la dirección de entrega?",
            "Me equivoqué de dirección en mi pedido, ¿se puede cambiar?",
            "¿Cómo modifico la dirección de envío de un pedido?",
        ),
    ),
    "size-guide": (
        "size_help",
        (
            "¿Dónde está la guía de tallas?",
            "¿Qué talla debo pedir?",
            "¿Tienen una tabla de tallas?",
            "No sé qué talla elegir para unas zapatillas.",
        ),
    ),
    "warranty-coverage": (
        "warranty_info",
        (
            "¿Qué garantía tienen los productos?",
            "¿Cuánto dura la garantía del calzado?",
            "¿La garantía cubre el desgaste?",
            "¿Tienen garantía los auriculares?",
        ),
    ),
    "contact-us": (
        "contact_info",
        (
            "¿Cómo puedo contactar con ustedes?",
            "¿Cuál es su número de teléfono?",
            "¿Tienen un correo de atención al cliente?",
            "¿En qué horario atienden?",
        ),
    ),
    "discount-codes": (
        "discount_question",
        (
            "¿Cómo uso un código de descuento?",
            "¿Dónde pongo el cupón?",
            "¿Puedo usar dos códigos de descuento en un pedido?",
            "Olvidé poner mi código de descuento, ¿se puede añadir?",
        ),
    ),
}

ZH_PHRASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "shipping-times": (
        "shipping_info",
        ("送货需要多久？", "下单后几天能收到？", "标准配送要几天？", "今天下单什么时候能到？"),
    ),
    "shipping-costs": (
        "shipping_info",
        ("运费多少钱？", "满多少包邮？", "加急配送多少钱？", "你们免运费吗？"),
    ),
    "international-shipping": (
        "shipping_info",
        ("你们能寄到{country}吗？", "支持国际配送吗？", "寄到{country}运费多少？",
         "从{country}下单需要交关税吗？"),
    ),
    "return-policy": (
        "return_request",
        ("你们的退货政策是什么？", "买的东西可以退吗？", "退货期限是多少天？", "退货免费吗？"),
    ),
    "how-to-return": (
        "return_request",
        ("怎么退货？", "我想退一双鞋，要怎么操作？", "退货运单在哪里打印？", "游客下单怎么退货？"),
    ),
    "refund-timing": (
        "refund_status",
        ("退款什么时候到账？", "退款要多久？", "我已经退货了，钱什么时候退回来？",
         "退款到信用卡需要几天？"),
    ),
    "payment-methods": (
        "payment_problem",
        ("你们支持哪些付款方式？", "可以用PayPal付款吗？", "支持Apple Pay吗？", "可以货到付款吗？",
         "可以分期付款吗？"),
    ),
    "order-tracking": (
        "order_status",
        ("怎么查询我的订单物流？", "在哪里看包裹的物流信息？", "我怎么知道订单到哪了？"),
    ),
    "cancel-order": (
        "cancel_order",
        ("我可以取消订单吗？", "昨天下的订单能取消吗？", "怎么取消订单？"),
    ),
    "change-address": (
        "change_address",
        ("可以修改收货地址吗？", "我的订单地址填错了，能改吗？", "下单后还能改地址吗？"),
    ),
    "size-guide": (
        "size_help",
        ("尺码表在哪里？", "我应该选什么尺码？", "有尺码对照表吗？", "不知道跑鞋该买哪个码。"),
    ),
    "warranty-coverage": (
        "warranty_info",
        ("商品有保修吗？", "鞋子保修多久？", "保修包括正常磨损吗？", "耳机有保修吗？"),
    ),
    "contact-us": (
        "contact_info",
        ("怎么联系客服？", "你们的客服电话是多少？", "客服邮箱是什么？", "客服几点上班？"),
    ),
    "discount-codes": (
        "discount_question",
        ("优惠码怎么用？", "在哪里输入优惠券？", "一个订单可以用两个优惠码吗？",
         "忘记用优惠码了，还能补上吗？"),
    ),
}  # fmt: skip

SMALLTALK = {
    "greeting": {
        "en": (
            ("Hi", "Hello", "Hey", "Hey there", "Good morning", "Good afternoon", "Good evening",
             "Hiya", "Hi there", "Morning", "Howdy", "Greetings", "Hello hello", "Yo"),
            ("", "!", " :)", ", anyone there?", ", how are you?", "! I need some help",
             ", can you help me?", ", is this the Fernway chat?", ", I have a few questions",
             " bot", "!!"),
        ),
        "es": (("Hola", "Buenas", "Buenos días", "Buenas tardes"), ("", "!", ", ¿me ayudas?")),
        "zh": (("你好", "您好", "哈喽", "嗨"), ("", "！", "，在吗？")),
    },
    "thanks": {
        "en": (
            ("Thanks", "Thank you", "Thanks a lot", "Thank you so much", "Cheers",
             "Much appreciated", "Great, thanks", "Perfect, thank you", "ty", "thx",
             "Awesome, thanks", "That's helpful, thanks", "Wonderful, thank you",
             "Thanks for your help", "OK thanks", "Thanks, that's all I needed",
             "Brilliant, thank you", "Super, thanks", "Great help, thank you", "Thanks, got it",
             "Thank you, that's clear"),
            ("", "!", " :)", "!!", ", that helps", ", you've been very helpful",
             " for the quick answer", ", great service", ", really appreciate it"),
        ),
        "es": (("Gracias", "Muchas gracias", "Mil gracias", "Perfecto, gracias"), ("", "!", " :)")),
        "zh": (("谢谢", "非常感谢", "多谢", "好的，谢谢"), ("", "！", "，帮大忙了")),
    },
    "goodbye": {
        "en": (
            ("Bye", "Goodbye", "See you", "That's all, bye", "Have a nice day",
             "That's everything, bye", "I'm done", "Take care", "See you later",
             "Catch you later", "Bye for now", "No, that's all", "Nothing else, goodbye",
             "OK bye", "That's it for today", "Later", "Have a great weekend", "All good, bye",
             "I'm all set, goodbye", "Bye bye", "Gotta go, bye"),
            ("", "!", " :)", ", have a good one", "!!", ", thanks again", ", cheers"),
        ),
        "es": (("Adiós", "Hasta luego", "Nos vemos", "Eso es todo, adiós"),
               ("", "!", ", buen día")),
        "zh": (("再见", "拜拜", "没有别的问题了，再见", "好的，再见"), ("", "！", "～")),
    },
}  # fmt: skip

SMALLTALK_REPLIES = {
    "greeting": {
        "en": (
            "Hi! I'm the Fernway shopping assistant. I can help with orders, shipping, returns "
            "and finding products. What can I do for you?",
            "Hello and welcome to Fernway! How can I help you today?",
            "Hi there! Ask me about an order, our policies or a product you're looking for.",
        ),
        "es": ("¡Hola! Soy el asistente de compras de Fernway. ¿En qué puedo ayudarte?",),
        "zh": ("您好！我是Fernway购物助手，可以帮您查询订单、配送、退货和商品。"
               "请问有什么可以帮您？",),
    },
    "thanks": {
        "en": (
            "You're welcome! Is there anything else I can help you with?",
            "Happy to help! Anything else?",
            "My pleasure. Let me know if you need anything else.",
        ),
        "es": ("¡De nada! ¿Puedo ayudarte en algo más?",),
        "zh": ("不客气！还有什么可以帮您的吗？",),
    },
    "goodbye": {
        "en": (
            "Thanks for visiting Fernway. Have a great day!",
            "Goodbye! Come back any time if you have more questions.",
            "Bye, and happy shopping!",
        ),
        "es": ("¡Gracias por visitar Fernway! Que tengas un buen día.",),
        "zh": ("感谢光临Fernway，祝您愉快，再见！",),
    },
}  # fmt: skip

OUT_OF_SCOPE = (
    "What's the weather like in Denver tomorrow?",
    "Who won the World Cup in 2022?",
    "Can you write me a poem about autumn?",
    "What's 17 times 23?",
    "Tell me a joke.",
    "What's the capital of Australia?",
    "Can you help me with my math homework?",
    "Recommend a good movie for tonight.",
    "How tall is Mount Everest?",
    "What's the price of bitcoin right now?",
    "Can you book me a flight to Chicago?",
    "Give me a recipe for lasagna.",
    "Who is the president of France?",
    "How do I fix the brakes on my car?",
    "What's the meaning of life?",
    "Translate 'good night' into German.",
    "Can you write my cover letter for a job application?",
    "How many calories are in a banana?",
    "What time is it in Tokyo?",
    "Should I invest in index funds?",
    "Can you tell me a bedtime story for my kids?",
    "How do I center a div in CSS?",
    "What's the best pizza place in Boulder?",
    "Is it going to snow this weekend?",
    "Who wrote Pride and Prejudice?",
    "What's your favourite colour?",
    "Can you order me a taxi?",
    "How do I get rid of a cold fast?",
    "Explain quantum computing in simple terms.",
    "What's the score of the Broncos game?",
    "Help me plan a wedding.",
    "How do I change a flat tyre on my bike?",
    "What's the population of Canada?",
    "Write a Python script that sorts a list.",
    "Can you recommend a good dentist?",
    "What should I name my dog?",
    "Are you conscious?",
    "Do you know any good podcasts?",
    "What's the exchange rate between euro and yen today?",
    "Can you help me with my tax return?",
    "How far is the moon from Earth?",
    "Tell me the latest news.",
    "What's a good name for a startup?",
    "How do I learn to play guitar?",
    "Can you hack my neighbour's wifi?",
    "What's the best phone plan?",
    "Which university should I apply to?",
    "Summarise the plot of Hamlet.",
    "Can you play some music?",
    "How old is the universe?",
    "Do aliens exist?",
    "What's the best way to cook rice?",
    "How do I renew my passport?",
    "What's the speed limit on highways in Colorado?",
    "Can you solve this crossword clue: 'large feline' (4 letters)?",
    "Why is the sky blue?",
    "What are the lottery numbers this week?",
    "Can you recommend a hotel in Denver?",
)
OUT_OF_SCOPE_REPLIES = (
    "Sorry, I can only help with Fernway questions: orders, shipping, returns, payments and "
    "our products.",
    "I'm afraid that's outside what I can help with. I'm here for questions about Fernway "
    "orders, policies and products.",
    "That's not something I can answer, sorry. Can I help you with an order or a product instead?",
)

COMPLAINTS = (
    "This is ridiculous, my order {oid} is over a week late and nobody tells me anything!",
    "I'm really unhappy. The {short} fell apart after two weeks.",
    "Your customer service is terrible, I've emailed three times with no answer.",
    "I received a used item in order {oid}. Not acceptable.",
    "Worst online shopping experience I've ever had.",
    "I've been waiting 3 weeks for my refund and I'm fed up.",
    "The courier left my parcel in the rain and everything is soaked. I'm furious.",
    "You charged my card but the order never showed up in my account. What a mess.",
    "I'm very disappointed with the quality of the {short}.",
    "Why is nobody answering the phone?? I've been on hold for 40 minutes.",
    "The {short} I got looks nothing like the photos. I feel cheated.",
    "Order {oid} came with a broken zip and a crushed box. Really poor.",
    "This is the second time you've sent me the wrong size. Unbelievable.",
    "I'm so frustrated, the website keeps logging me out at checkout.",
    "I want to complain about the delivery driver, he was really rude.",
    "The discount code you emailed me doesn't work and support ignores me. I'm angry.",
    "Your return process is a nightmare.",
    "I paid for express shipping on order {oid} and it took a week!",
    "The {short} stopped working after a month. I expected better from you.",
    "Honestly, I'm never ordering from Fernway again.",
    "I was promised a callback yesterday and nobody called.",
    "The item smelled of smoke when it arrived. Disgusting.",
    "This chat is useless and I'm fed up.",
    "I've been charged twice and nobody is fixing it!!",
    "Order {oid} was supposed to arrive for my son's birthday and it didn't. Very upset.",
    "Terrible packaging, my mugs arrived smashed.",
    "I'm not happy at all with how my last return was handled.",
    "Three emails and still no reply about order {oid}. This is awful service.",
    "The {short} gave me blisters on the first run and you won't take it back?!",
    "I'm disgusted, the box was opened and half my order {oid} is missing.",
)
COMPLAINT_REPLIES = (
    "I'm really sorry about this; that's not the experience we want you to have. I'm passing "
    "this conversation to a member of our customer care team so they can sort it out "
    "personally. An agent will join here during opening hours (" + SUPPORT_HOURS_SHORT + ").{ref}",
    "I'm sorry to hear that, and I understand your frustration. I've flagged this for our "
    "customer care team; an agent will pick it up shortly and reply here or by email within 1 "
    "business day.{ref}",
    "Thank you for telling us, and I apologise. I'm handing this over to one of our "
    "agents so they can make it right as quickly as possible.{ref}",
)

HUMAN_AGENT = (
    "Can I talk to a human?",
    "I want to speak to a real person.",
    "Agent please.",
    "Connect me to customer service.",
    "Is there a person I can chat with?",
    "Transfer me to an agent.",
    "I'd rather talk to someone, not a bot.",
    "Can I speak to a representative?",
    "Let me talk to your manager.",
    "human please",
    "Is there anyone real there?",
    "Put me through to a live agent.",
    "I need to speak with a customer service agent about order {oid}.",
    "Can someone from your team call me?",
    "I don't want to talk to a bot.",
    "Get me a human being.",
    "Can I chat with a real employee?",
    "I want a person to handle this, not an assistant.",
    "operator",
    "speak to agent",
    "Could you connect me with a member of staff?",
    "Please escalate this to a human.",
    "Is a live chat agent available?",
    "I'd like to talk to someone on the phone.",
    "Are there real people working there? I need one.",
    "Let me speak to someone who can actually help.",
    "representative",
    "live agent",
    "I need human support.",
    "Can you hand me over to a colleague?",
    "Pass me to your support team please.",
    "Can I talk to a person about my refund for order {oid}?",
    "Real person please, this is urgent.",
    "Is there a human I can speak with about a warranty claim?",
)
HUMAN_REPLIES = (
    "Of course. I'm connecting you with a member of our customer care team; an agent will "
    "join this chat shortly (" + SUPPORT_HOURS_SHORT + "). You can also call +1 (303) "
    "555-0142.{ref}",
    "Sure, I'm handing you over to one of our agents. They're available "
    + SUPPORT_HOURS_SHORT
    + "; outside those hours they reply by email within 1 business day.{ref}",
    "No problem. I've asked a colleague from customer care to take over. Please stay in "
    "this chat; it usually takes just a few minutes during opening hours.{ref}",
)

GIFT_PERSONAS = {
    "runner": (
        ("a runner", "my running buddy", "someone training for a marathon"),
        ("running-socks", "running-belt", "running-cap", "gps-watch", "gloves", "sunglasses",
         "running-tee", "earbuds"),
    ),
    "hiker": (
        ("a hiker", "my dad who loves hiking", "someone who goes hiking every weekend"),
        ("hiking-socks", "trekking-poles", "headlamp", "water-bottle", "merino-tee", "beanie",
         "daypack"),
    ),
    "camper": (
        ("someone who loves camping", "a camper", "my sister who camps a lot"),
        ("headlamp", "camp-pillow", "cookset", "stove", "camp-chair", "sleeping-pad"),
    ),
    "coffee": (
        ("a coffee lover", "my coffee-obsessed friend", "someone who loves good coffee"),
        ("french-press", "grinder", "kettle", "mug-set"),
    ),
    "cook": (
        ("a home cook", "my mum who loves cooking", "someone who just moved into a new flat"),
        ("chef-knife", "cutting-board", "skillet", "saucepan", "storage-set", "mug-set"),
    ),
    "music": (
        ("a music lover", "my teenage son", "someone who commutes a lot"),
        ("earbuds", "anc-headphones", "speaker"),
    ),
    "yoga": (
        ("a yoga fan", "my girlfriend who does yoga", "someone who works out at home"),
        ("yoga-mat", "yoga-block", "foam-roller", "resistance-bands"),
    ),
}  # fmt: skip

WEARABLE_CATEGORIES = ("running-shoes", "hiking-boots", "casual-shoes", "t-shirts", "jackets")
SHOE_CATEGORIES = ("running-shoes", "hiking-boots", "casual-shoes")


def normalise(text: str) -> str:
    """The form in which two user texts count as the same phrasing."""
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return " ".join(text.split())


def human_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def usd(value: float) -> str:
    return f"{value:.2f} USD"


class DialogueBuilder:
    """Builds all labelled dialogues from the generated shop data."""

    def __init__(
        self,
        rng: random.Random,
        products: list[dict],
        faq: list[dict],
        orders: list[dict],
        interaction_rows: list[tuple[str, str, str, str, str]],
    ):
        self.rng = rng
        self.products = products
        self.by_id = {p["item_id"]: p for p in products}
        self.in_stock = [p for p in products if p["stock"] > 0]
        self.faq = {f["faq_id"]: f for f in faq}
        self.orders = orders
        self.order_ids = {o["order_id"] for o in orders}
        weights = {"view": 1, "cart": 3, "purchase": 5}
        score: Counter = Counter()
        for _, _, item_id, event, _ in interaction_rows:
            score[item_id] += weights[event]
        self.popularity = score
        self.used: set[str] = set()
        self.dialogues: list[dict] = []

    # ---- small helpers -----------------------------------------------------------------
    def _rank(self, items: list[dict]) -> list[dict]:
        return sorted(items, key=lambda p: (-self.popularity[p["item_id"]], p["item_id"]))

    def _short(self, product: dict) -> str:
        return f"{product['brand']} {product['_model']}"

    def _listing(self, items: list[dict]) -> str:
        return "\n".join(
            f"{n}. {p['title']} – {usd(p['price'])}" for n, p in enumerate(items, start=1)
        )

    def _order(self, status: str | None = None) -> dict:
        pool = [o for o in self.orders if status is None or o["status"] == status]
        return self.rng.choice(pool)

    def _order_mixed(self) -> dict:
        """An order, with processing and shipped ones over-represented (they make better demos)."""
        status = self.rng.choices(
            ("processing", "shipped", "delivered", "cancelled", "returned"),
            weights=(3, 4, 4, 1, 1),
        )[0]
        return self._order(status)

    def _decorate(self, core: str, language: str = "en") -> str:
        rng = self.rng
        text = core
        if language == "en":
            if rng.random() < 0.07:
                text = self._typo(text)
            if rng.random() < 0.3:
                prefix = rng.choice(EN_PREFIXES)
                text = prefix + _lower_first(text) if prefix[-2] not in ".!:" else prefix + text
            if rng.random() < 0.2:
                text = text + rng.choice(EN_SUFFIXES)
            if rng.random() < 0.12:
                text = text.lower()
            if rng.random() < 0.12 and text.endswith(("?", ".")):
                text = text[:-1]
        elif language == "es":
            if rng.random() < 0.45:
                prefix = rng.choice(ES_PREFIXES)
                text = prefix + (_lower_first(text) if prefix.endswith(", ") else text)
            if rng.random() < 0.3:
                text = text + rng.choice(ES_SUFFIXES)
        else:
            if rng.random() < 0.45:
                prefix = rng.choice(ZH_PREFIXES)
                text = prefix + text
            if rng.random() < 0.3:
                text = text + rng.choice(ZH_SUFFIXES)
        return text

    def _typo(self, text: str) -> str:
        words = text.split(" ")
        candidates = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5 and w.islower()]
        if not candidates:
            return text
        i = self.rng.choice(candidates)
        word = words[i]
        j = self.rng.randrange(1, len(word) - 1)
        kind = self.rng.randrange(3)
        if kind == 0:
            word = word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
        elif kind == 1:
            word = word[:j] + word[j + 1 :]
        else:
            word = word[:j] + word[j] + word[j:]
        words[i] = word
        return " ".join(words)

    @staticmethod
    def user(content: str, intent: str, slots: dict | None = None) -> dict:
        return {"role": "user", "content": content, "intent": intent, "slots": slots or {}}

    @staticmethod
    def assistant(content: str, faq_ids=(), item_ids=()) -> dict:
        return {
            "role": "assistant",
            "content": content,
            "faq_ids": list(faq_ids),
            "item_ids": list(item_ids),
        }

    def add(self, language: str, turns: list[dict]) -> bool:
        """Keep the dialogue unless one of its user texts was already used."""
        keys = [normalise(t["content"]) for t in turns if t["role"] == "user"]
        if any(k in self.used for k in keys) or len(set(keys)) != len(keys):
            return False
        self.used.update(keys)
        self.dialogues.append({"language": language, "turns": turns})
        return True

    def fill_until(self, count: int, make, language: str = "en") -> int:
        """Call make() (which returns turns or None) until `count` dialogues were added."""
        added = attempts = 0
        while added < count and attempts < count * 40:
            attempts += 1
            turns = make()
            if turns and self.add(language, turns):
                added += 1
        return added

    # ---- FAQ intents -------------------------------------------------------------------
    def _faq_reply(self, topic: str, language: str = "en", lead: str = "") -> dict:
        faq_id = f"{topic}.{language}"
        answer = self.faq[faq_id]["answer"]
        return self.assistant((lead + " " + answer).strip(), faq_ids=[faq_id])

    def _fill(self, template: str, topic: str) -> tuple[str, dict, str]:
        """Fill placeholders of an English FAQ phrasing; return text, slots and a reply lead."""
        rng = self.rng
        slots: dict = {}
        lead = ""
        values: dict[str, str] = {}
        if "{country}" in template:
            country = rng.choice(SHIPPING_COUNTRIES)
            values["country"] = country
            if topic == "international-shipping":
                lead = f"Yes, we ship to {country}."
        if "{nocountry}" in template:
            country = rng.choice(NOT_SHIPPED_TO)
            values["nocountry"] = country
            lead = f"Sorry, we don't ship to {country} at the moment."
        if "{us_city}" in template:
            values["us_city"] = rng.choice(("Denver", "Seattle", "Austin", "Chicago", "Boston"))
        if "{cat}" in template:
            category = rng.choice(
                ("running-shoes", "hiking-boots", "jackets", "t-shirts", "backpacks")
                if topic in ("return-policy", "how-to-return", "warranty-coverage")
                else tuple(CATEGORY_PHRASES)
            )
            values["cat"] = rng.choice(CATEGORY_PHRASES[category])
            slots["category"] = category
            if topic == "warranty-coverage":
                lead = _warranty_lead(category, values["cat"])
        if "{catwear}" in template:
            category = rng.choice(WEARABLE_CATEGORIES)
            values["catwear"] = rng.choice(CATEGORY_PHRASES[category])
            slots["category"] = category
        product = None
        if "{title}" in template or "{short}" in template:
            pool = self.in_stock
            if topic in ("exchanges", "warranty-claim", "price-adjustment"):
                pool = [p for p in self.in_stock if p["category"] in WEARABLE_CATEGORIES]
            product = rng.choice(pool)
        for key, categories in (
            ("{tech}", ("electronics",)),
            ("{wear}", WEARABLE_CATEGORIES),
            ("{shoe}", ("running-shoes",)),
            ("{boot}", ("hiking-boots",)),
        ):
            if key in template:
                product = rng.choice([p for p in self.in_stock if p["category"] in categories])
                values[key[1:-1]] = self._short(product)
        if product is not None:
            values["title"] = product["title"]
            values["short"] = self._short(product)
            if topic == "warranty-coverage":
                lead = _warranty_lead(product["category"], "the " + self._short(product))
        if "{basket}" in template:
            basket = rng.choice((19.99, 35.5, 42.0, 48.9, 55.0, 64.99, 80.0, 120.0, 30.0, 74.5))
            values["basket"] = f"{basket:g}"
            if basket > 50:
                lead = f"On a {basket:g} USD order standard shipping within the US is free."
            else:
                lead = (
                    f"On a {basket:g} USD order standard shipping within the US costs 4.95 "
                    "USD; add items worth over 50 USD in total to get it free."
                )
        if "{big_price}" in template:
            big = rng.choice((120, 180, 240, 310, 450, 640))
            values["big_price"] = str(big)
            lead = f"Yes, a {big} USD order qualifies for Fernway Pay Later."
        if "{oid}" in template:
            order = self._order()
            values["oid"] = order["order_id"]
            slots["order_id"] = order["order_id"]
        if "{code}" in template:
            values["code"] = rng.choice(FAKE_CODES)
        if "{eu}" in template:
            values["eu"] = str(rng.randint(39, 46))
            slots["size"] = values["eu"]
        if "{months}" in template:
            values["months"] = str(rng.randint(2, 10))
        if "{us}" in template:
            us = rng.choice(tuple(MEN_US_TO_EU))
            values["us"] = us
            slots["size"] = f"US {us}"
            lead = f"A men's US {us} is EU {MEN_US_TO_EU[us]} in our size chart."
        if "{chest}" in template:
            label, low, high = rng.choice(MEN_CHEST)
            chest = rng.randint(low + 1, high - 1)
            values["chest"] = str(chest)
            lead = f"With a {chest} cm chest you're a men's {label} in our chart."
        return template.format(**values), slots, lead

    def faq_dialogue(self, intent: str, topic: str | None = None) -> list[dict]:
        topics = FAQ_PHRASES[intent]
        if topic is None:
            names = list(topics)
            # The first topics of each intent are the common questions: ask them more often.
            weights = [3 if i == 0 else (2 if i < 3 else 1) for i in range(len(names))]
            topic = self.rng.choices(names, weights=weights)[0]
        template = self.rng.choice(topics[topic])
        text, slots, lead = self._fill(template, topic)
        return [self.user(self._decorate(text), intent, slots), self._faq_reply(topic, lead=lead)]

    def translated_dialogue(self, topic: str, language: str) -> list[dict]:
        table = ES_PHRASES if language == "es" else ZH_PHRASES
        intent, templates = table[topic]
        template = self.rng.choice(templates)
        lead = ""
        if "{country}" in template:
            if language == "es":
                country = self.rng.choice(COUNTRIES_ES)
                lead = f"Sí, enviamos a {country}."
            else:
                country = self.rng.choice(COUNTRIES_ZH)
                lead = f"可以，我们配送到{country}。"
            template = template.replace("{country}", country)
        text = self._decorate(template, language)
        reply = self._faq_reply(topic, language=language)
        if lead:
            sep = " " if language == "es" else ""
            reply["content"] = lead + sep + reply["content"]
        return [self.user(text, intent), reply]

    # ---- order intents -----------------------------------------------------------------
    def status_text(self, order: dict) -> str:
        oid, status = order["order_id"], order["status"]
        if status == "processing":
            return (
                f"Order {oid} was placed on {human_date(order['order_date'])} and is still being "
                "prepared in our warehouse, so it hasn't shipped yet. You'll get an email with "
                "the tracking number as soon as it ships, usually within 1 business day."
            )
        if status == "shipped":
            carrier = order["carrier"]
            eta = {
                "ParcelPoint": "Standard deliveries arrive 3-5 business days after shipping.",
                "SwiftPost Express": "Express deliveries arrive 1-2 business days after shipping.",
                "GlobeLine": "International deliveries take 7-14 business days.",
            }[carrier]
            return (
                f"Order {oid} shipped on {human_date(order['shipped_date'])} with {carrier}; the "
                f"tracking number is {order['tracking_number']}. {eta}"
            )
        if status == "delivered":
            return (
                f"Order {oid} was delivered on {human_date(order['delivered_date'])} by "
                f"{order['carrier']} (tracking number {order['tracking_number']}). If you can't "
                "find the parcel, check with your neighbours or your building's mail room, and "
                "let me know if it's still missing."
            )
        if status == "cancelled":
            return (
                f"Order {oid} was cancelled, so it won't be shipped. If you paid by card, the "
                "payment authorization is released within 3-5 business days."
            )
        return (
            f"Order {oid} was delivered on {human_date(order['delivered_date'])} and then "
            "returned to us, and the refund has been processed. Card refunds take 5-10 business "
            "days to appear on your statement."
        )

    def cancel_reply(self, order: dict) -> dict:
        oid, status = order["order_id"], order["status"]
        if status == "processing":
            text = (
                f"Order {oid} is still processing, so it can be cancelled. I've cancelled it for "
                "you: you'll get a confirmation email shortly, and the payment authorization of "
                f"{usd(order['total'])} is released within 3-5 business days."
            )
            return self.assistant(text, faq_ids=["cancel-order.en"])
        if status == "shipped":
            returns = (
                "international customers pay the return shipping"
                if order["carrier"] == "GlobeLine"
                else "returns within the US are free with our prepaid label"
            )
            text = (
                f"Order {oid} already shipped on {human_date(order['shipped_date'])} with "
                f"{order['carrier']} (tracking number {order['tracking_number']}), so it can no "
                "longer be cancelled. Once it arrives you can return it within 30 days of "
                f"delivery; {returns}."
            )
            return self.assistant(text, faq_ids=["cancel-order.en", "return-policy.en"])
        if status == "delivered":
            text = (
                f"Order {oid} was already delivered on {human_date(order['delivered_date'])}, so "
                "it can't be cancelled. Items can be returned within 30 days of delivery: start "
                'a return under Account > Orders with "Start a return".'
            )
            return self.assistant(text, faq_ids=["cancel-order.en", "how-to-return.en"])
        if status == "cancelled":
            text = (
                f"Order {oid} is already cancelled, so there's nothing more to do. The payment "
                "authorization is released within 3-5 business days."
            )
            return self.assistant(text, faq_ids=["cancel-order.en"])
        text = f"Order {oid} was already returned and refunded, so there's nothing left to cancel."
        return self.assistant(text)

    def address_reply(self, order: dict) -> dict:
        oid, status = order["order_id"], order["status"]
        if status == "processing":
            text = (
                f"Order {oid} hasn't shipped yet, so the address can still be changed. Please "
                "send me the full new address (street, city, state and ZIP code) and I'll "
                "update it."
            )
        elif status == "shipped" and order["carrier"] == "ParcelPoint":
            text = (
                f"Order {oid} already shipped on {human_date(order['shipped_date'])} with "
                "ParcelPoint, so we can no longer change the address. You can request a "
                "redirect on the ParcelPoint tracking page with tracking number "
                f"{order['tracking_number']}."
            )
        elif status == "shipped":
            text = (
                f"Order {oid} already shipped on {human_date(order['shipped_date'])} with "
                f"{order['carrier']}, so the address can no longer be changed. If the parcel "
                "can't be delivered it comes back to us, and we refund it or re-ship it once "
                "for free."
            )
        elif status == "delivered":
            text = (
                f"Order {oid} was already delivered on {human_date(order['delivered_date'])} to "
                "the address on the order, so the address can't be changed anymore."
            )
        elif status == "cancelled":
            text = (
                f"Order {oid} was cancelled, so there's no delivery address to change. You're "
                "welcome to place a new order with the right address."
            )
        else:
            text = f"Order {oid} was delivered and then returned, so there's no address to change."
        return self.assistant(text, faq_ids=["change-address.en"])

    def _order_with_email_text(self, templates: tuple[str, ...], order: dict) -> str:
        template = self.rng.choice(templates)
        return self._decorate(template.format(oid=order["order_id"], email=order["email"]))

    def order_status_dialogue(self) -> list[dict] | None:
        rng = self.rng
        kind = rng.choices(
            ("id_email", "id_only", "none", "faq", "unknown"), weights=(40, 26, 14, 12, 8)
        )[0]
        if kind == "faq":
            topic, templates = ORDER_FAQ_PHRASES["order_status"]
            lead_reply = self._faq_reply(topic)
            lead_reply["content"] += (
                " If you share your order number and email address, I can check it for you now."
            )
            return [self.user(self._decorate(rng.choice(templates)), "order_status"), lead_reply]
        if kind == "none":
            text = rng.choice(
                (
                    "Where is my order?",
                    "My package hasn't arrived yet.",
                    "When will my order arrive?",
                    "I'm still waiting for my delivery.",
                    "Has my order shipped?",
                    "Can you tell me where my parcel is?",
                    "my stuff hasn't come yet",
                    "I ordered something a week ago and nothing has arrived.",
                    "Is my order on the way?",
                    "What's the status of my order?",
                    "I want to check my order status.",
                    "Any news on my delivery?",
                )
            )
            reply = (
                "I'd be happy to check. Please send me your order number (5 digits, from your "
                "confirmation email) and the email address you used for the order."
            )
            return [self.user(self._decorate(text), "order_status"), self.assistant(reply)]
        order = self._order_mixed()
        if kind == "id_only":
            return [
                self.user(
                    self._order_with_email_text(ORDER_ID_ONLY, order),
                    "order_status",
                    {"order_id": order["order_id"]},
                ),
                self.assistant(self.ask_email(order["order_id"])),
            ]
        if kind == "unknown":
            if rng.random() < 0.5:
                oid = str(rng.choice((rng.randint(10201, 10999), rng.randint(20000, 99999))))
                email = order["email"]
                reply = (
                    f"I couldn't find an order with the number {oid}. Please check the order "
                    "number in your confirmation email; our order numbers have 5 digits and "
                    "start with 10."
                )
            else:
                oid = order["order_id"]
                email = self._order(None)["email"]
                if email == order["email"]:
                    return None
                reply = (
                    f"The email address you gave doesn't match order {oid}. Please give me the "
                    "email address the order was placed with, as shown in the confirmation email."
                )
            text = self._decorate(rng.choice(ORDER_ID_EMAIL).format(oid=oid, email=email))
            return [
                self.user(text, "order_status", {"order_id": oid, "email": email}),
                self.assistant(reply),
            ]
        return [
            self.user(
                self._order_with_email_text(ORDER_ID_EMAIL, order),
                "order_status",
                {"order_id": order["order_id"], "email": order["email"]},
            ),
            self.assistant(self.status_text(order)),
        ]

    def ask_email(self, oid: str) -> str:
        return self.rng.choice(
            (
                f"I can check order {oid} for you. To protect your details, please tell me the "
                "email address you used for the order.",
                f"Sure! For security, could you confirm the email address on order {oid}?",
                f"Happy to look into order {oid}. Which email address did you use when you "
                "placed it?",
            )
        )

    def cancel_dialogue(self) -> list[dict] | None:
        rng = self.rng
        kind = rng.choices(("id_email", "id_only", "none", "faq"), weights=(50, 22, 12, 16))[0]
        if kind == "faq":
            topic, templates = ORDER_FAQ_PHRASES["cancel_order"]
            return [
                self.user(self._decorate(rng.choice(templates)), "cancel_order"),
                self._faq_reply(topic),
            ]
        if kind == "none":
            text = rng.choice(
                (
                    "I want to cancel my order.",
                    "Please cancel my order.",
                    "I need to cancel something I just ordered.",
                    "cancel my order please",
                    "I ordered by mistake, can you cancel it?",
                    "How do I cancel the order I placed this morning?",
                )
            )
            reply = (
                "I can help with that. Please send me the order number and the email address "
                "you used for the order."
            )
            return [self.user(self._decorate(text), "cancel_order"), self.assistant(reply)]
        order = self._order_mixed()
        if kind == "id_only":
            reply = rng.choice(
                (
                    f"Before I cancel order {order['order_id']}, please confirm the email "
                    "address on the order.",
                    f"I can look at cancelling order {order['order_id']}. What's the email "
                    "address you ordered with?",
                )
            )
            return [
                self.user(
                    self._order_with_email_text(CANCEL_ID_ONLY, order),
                    "cancel_order",
                    {"order_id": order["order_id"]},
                ),
                self.assistant(reply),
            ]
        return [
            self.user(
                self._order_with_email_text(CANCEL_ID_EMAIL, order),
                "cancel_order",
                {"order_id": order["order_id"], "email": order["email"]},
            ),
            self.cancel_reply(order),
        ]

    def address_dialogue(self) -> list[dict] | None:
        rng = self.rng
        kind = rng.choices(("id_email", "id_only", "none", "faq"), weights=(50, 22, 12, 16))[0]
        if kind == "faq":
            topic, templates = ORDER_FAQ_PHRASES["change_address"]
            return [
                self.user(self._decorate(rng.choice(templates)), "change_address"),
                self._faq_reply(topic),
            ]
        if kind == "none":
            text = rng.choice(
                (
                    "I entered the wrong address on my order.",
                    "Can you deliver my order to a different address?",
                    "I need to change where my parcel goes.",
                    "I moved last week, can you update the address on my order?",
                    "wrong delivery address on my order, help",
                )
            )
            reply = (
                "Let me check whether the address can still be changed. Please send me the "
                "order number and the email address you used for the order."
            )
            return [self.user(self._decorate(text), "change_address"), self.assistant(reply)]
        order = self._order_mixed()
        if kind == "id_only":
            reply = (
                f"I can check whether order {order['order_id']} can still be redirected. First, "
                "please confirm the email address on the order."
            )
            return [
                self.user(
                    self._order_with_email_text(ADDRESS_ID_ONLY, order),
                    "change_address",
                    {"order_id": order["order_id"]},
                ),
                self.assistant(reply),
            ]
        return [
            self.user(
                self._order_with_email_text(ADDRESS_ID_EMAIL, order),
                "change_address",
                {"order_id": order["order_id"], "email": order["email"]},
            ),
            self.address_reply(order),
        ]

    # ---- product intents ---------------------------------------------------------------
    def _colour_word(self, product: dict) -> str | None:
        colour = product["attributes"].get("colour")
        if not colour or colour == "multicolour":
            return None
        part = self.rng.choice(colour.split("/"))
        return part.removeprefix("all ").strip()

    def _size_word(self, product: dict) -> str | None:
        size = product["attributes"].get("size", "")
        if product["category"] in SHOE_CATEGORIES and size.startswith("EU "):
            low, high = (int(x) for x in size[3:].split("-"))
            return str(self.rng.randint(low, high))
        if product["category"] in ("t-shirts", "jackets") and "-" in size:
            low, high = size.split("-")
            order = APPAREL_ORDER
            return self.rng.choice(order[order.index(low) : order.index(high) + 1])
        return None

    def search(
        self,
        category: str,
        ptype: str | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        colour: str | None = None,
        size: str | None = None,
    ) -> list[dict]:
        """In-stock products matching every given constraint, most popular first."""
        hits = []
        for p in self.in_stock:
            if p["category"] != category or (ptype and p["_type"] != ptype):
                continue
            if min_price is not None and p["price"] < min_price:
                continue
            if max_price is not None and p["price"] > max_price:
                continue
            if colour and colour not in p["attributes"].get("colour", ""):
                continue
            if size and not size_fits(p["attributes"].get("size", ""), size):
                continue
            hits.append(p)
        return self._rank(hits)

    def search_dialogue(self) -> tuple[list[dict], dict] | None:
        """One product search turn; also returns the query for follow-up turns."""
        rng = self.rng
        seed = rng.choice(self.in_stock)
        category, ptype = seed["category"], seed["_type"]
        spec = TYPES_BY_KEY[ptype]
        use_type = rng.random() < 0.45
        what = rng.choice(spec.plurals) if use_type else rng.choice(CATEGORY_PHRASES[category])
        query: dict = {"category": category, "ptype": ptype if use_type else None}
        extras = rng.sample(("max", "min", "range", "colour", "size", "none"), 2)
        price_text = ""
        if "range" in extras or ("max" in extras and "min" in extras):
            low = math.floor(seed["price"] / 10) * 10
            high = low + rng.choice((30, 40, 50))
            query["min_price"], query["max_price"] = float(low), float(high)
            price_text = rng.choice(
                (
                    f"between {low} and {high} dollars",
                    f"from ${low} to ${high}",
                    f"in the {low}-{high} USD range",
                )
            )
        elif "max" in extras:
            high = math.ceil(seed["price"] / 10) * 10 + rng.choice((0, 10, 20))
            if category == "running-shoes" and rng.random() < 0.5:
                high = 80
            query["max_price"] = float(high)
            price_text = rng.choice(
                (
                    f"under {high} dollars",
                    f"under ${high}",
                    f"below {high} USD",
                    f"for less than {high} bucks",
                    f"for no more than ${high}",
                    f"up to {high} USD",
                )
            )
        elif "min" in extras:
            low = max(10, math.floor(seed["price"] / 10) * 10 - rng.choice((0, 10)))
            query["min_price"] = float(low)
            price_text = rng.choice((f"over {low} dollars", f"above ${low}", f"from {low} USD up"))
        colour = self._colour_word(seed) if "colour" in extras else None
        size = self._size_word(seed) if "size" in extras else None
        if colour:
            query["colour"] = colour
        if size:
            query["size"] = size
        hits = self.search(
            category,
            query["ptype"],
            query.get("min_price"),
            query.get("max_price"),
            colour,
            size,
        )
        if not hits:
            return None
        phrase = f"{colour} {what}" if colour else what
        if size:
            phrase += rng.choice((f" in size {size}", f" size {size}", f" in a {size}"))
        if price_text:
            phrase += " " + price_text
        template = rng.choice(SEARCH_TEMPLATES)
        text = self._decorate(template.format(q=phrase))
        slots = {"category": category}
        for key in ("max_price", "min_price", "size", "colour"):
            if key in query:
                slots[key] = query[key]
        shown = hits[:5]
        label = what if not colour else f"{colour} {what}"
        if len(hits) == 1:
            head = "I found one match in stock:"
        elif len(hits) <= 5:
            head = f"I found {len(hits)} matches in stock:"
        else:
            head = f"I found {len(hits)} matches in stock. Here are the 5 most popular:"
        reply = head + "\n" + self._listing(shown)
        if len(hits) > 5:
            reply += "\nTell me a colour, size or budget and I'll narrow it down."
        turns = [
            self.user(text, "product_search", slots),
            self.assistant(reply, item_ids=[p["item_id"] for p in shown]),
        ]
        query["label"] = label
        query["shown"] = shown
        query["hits"] = hits
        return turns, query

    def cheapest_dialogue(self) -> list[dict]:
        rng = self.rng
        category = rng.choice(tuple(CATEGORY_PHRASES))
        what = rng.choice(CATEGORY_PHRASES[category])
        items = sorted(
            [p for p in self.in_stock if p["category"] == category],
            key=lambda p: (p["price"], p["item_id"]),
        )[:5]
        text = rng.choice(
            (
                f"What are your cheapest {what}?",
                f"Show me the most affordable {what}.",
                f"cheap {what}?",
                f"I'm on a budget, what {what} do you have that don't cost much?",
                f"Sort {what} by lowest price please.",
            )
        )
        reply = f"Here are our most affordable {what} in stock:\n" + self._listing(items)
        return [
            self.user(self._decorate(text), "product_search", {"category": category}),
            self.assistant(reply, item_ids=[p["item_id"] for p in items]),
        ]

    def product_search_dialogue(self) -> list[dict] | None:
        if self.rng.random() < 0.15:
            return self.cheapest_dialogue()
        made = self.search_dialogue()
        return made[0] if made else None

    def complements_of(self, product: dict, limit: int = 4) -> list[dict]:
        picks = []
        for key in TYPES_BY_KEY[product["_type"]].complements:
            candidates = [p for p in self.in_stock if p["_type"] == key]
            if not candidates:
                continue
            same_brand = [p for p in candidates if p["brand"] == product["brand"]]
            picks.append(self._rank(same_brand or candidates)[0])
        return picks[:limit]

    def recommendation_dialogue(self) -> list[dict] | None:
        rng = self.rng
        kind = rng.choices(
            ("complement", "gift", "popular", "use", "cheaper"), weights=(30, 25, 15, 18, 12)
        )[0]
        if kind == "complement":
            product = rng.choice([p for p in self.in_stock if TYPES_BY_KEY[p["_type"]].complements])
            picks = self.complements_of(product)
            if not picks:
                return None
            name = rng.choice((product["title"], self._short(product)))
            text = rng.choice(COMPLEMENT_TEMPLATES).format(name=name)
            reply = f"These go well with the {self._short(product)}:\n" + self._listing(picks)
            return [
                self.user(self._decorate(text), "product_recommendation"),
                self.assistant(reply, item_ids=[p["item_id"] for p in picks]),
            ]
        if kind == "gift":
            persona_key = rng.choice(tuple(GIFT_PERSONAS))
            names, types = GIFT_PERSONAS[persona_key]
            who = rng.choice(names)
            budget = rng.choice((None, 30, 50, 75, 100, 150))
            pool = [p for p in self.in_stock if p["_type"] in types]
            if budget:
                pool = [p for p in pool if p["price"] <= budget]
            picks, per_type = [], Counter()
            for p in self._rank(pool):
                if per_type[p["_type"]] < 1:
                    picks.append(p)
                    per_type[p["_type"]] += 1
                if len(picks) == 4:
                    break
            if not picks:
                return None
            if budget:
                text = rng.choice(GIFT_BUDGET_TEMPLATES).format(who=who, budget=budget)
                head = f"Here are some gift ideas for {who} under {budget} USD:"
            else:
                text = rng.choice(GIFT_TEMPLATES).format(who=who)
                head = f"Here are some gift ideas for {who}:"
            slots = {"max_price": float(budget)} if budget else {}
            return [
                self.user(self._decorate(text), "product_recommendation", slots),
                self.assistant(
                    head + "\n" + self._listing(picks), item_ids=[p["item_id"] for p in picks]
                ),
            ]
        if kind == "popular":
            category = rng.choice(tuple(CATEGORY_PHRASES))
            what = rng.choice(CATEGORY_PHRASES[category])
            picks = self._rank([p for p in self.in_stock if p["category"] == category])[:4]
            text = rng.choice(POPULAR_TEMPLATES).format(what=what)
            reply = f"Our most popular {what} right now:\n" + self._listing(picks)
            return [
                self.user(self._decorate(text), "product_recommendation", {"category": category}),
                self.assistant(reply, item_ids=[p["item_id"] for p in picks]),
            ]
        if kind == "use":
            spec = rng.choice([t for t in TYPES_BY_KEY.values() if t.uses])
            use = rng.choice(spec.uses)
            budget = rng.choice((None, None, math.ceil(sum(spec.price) / 2 / 10) * 10))
            pool = [p for p in self.in_stock if p["_type"] == spec.key]
            if budget:
                pool = [p for p in pool if p["price"] <= budget]
            picks = self._rank(pool)[:3]
            if not picks:
                return None
            text = rng.choice(USE_TEMPLATES).format(
                one=spec.singular, many=rng.choice(spec.plurals), use=use
            )
            slots: dict = {"category": spec.category}
            if budget:
                text = text.rstrip("?.") + rng.choice(
                    (
                        f", under {budget} dollars?",
                        f" for less than ${budget}?",
                        f". Budget is {budget} USD.",
                    )
                )
                slots["max_price"] = float(budget)
            reply = f"For {use} I'd suggest:\n" + self._listing(picks)
            return [
                self.user(self._decorate(text), "product_recommendation", slots),
                self.assistant(reply, item_ids=[p["item_id"] for p in picks]),
            ]
        product = rng.choice(self.in_stock)
        cheaper = [
            p
            for p in self.in_stock
            if p["_type"] == product["_type"] and p["price"] < product["price"]
        ]
        cheaper.sort(key=lambda p: (-p["price"], p["item_id"]))
        picks = cheaper[:3]
        if not picks:
            return None
        name = rng.choice((product["title"], self._short(product)))
        text = rng.choice(CHEAPER_ALTERNATIVE_TEMPLATES).format(name=name)
        reply = (
            f"The {self._short(product)} costs {usd(product['price'])}. Similar options for less:\n"
            + self._listing(picks)
        )
        slots = {"category": product["category"], "max_price": product["price"]}
        return [
            self.user(self._decorate(text), "product_recommendation", slots),
            self.assistant(reply, item_ids=[p["item_id"] for p in picks]),
        ]

    def question_turns(self, product: dict, name: str | None = None) -> tuple[dict, dict] | None:
        """A product_question user turn about `product` and its reference reply."""
        rng = self.rng
        short = self._short(product)
        name = name or rng.choice((product["title"], short, short))
        title = product["title"]
        attrs = product["attributes"]
        aspects = ["material", "stock", "price", "details"]
        if attrs.get("size") and product["category"] in WEARABLE_CATEGORIES:
            aspects += ["size", "size"]
        if attrs.get("colour"):
            aspects.append("colour")
        if is_waterproof(product) is not None:
            aspects += ["waterproof", "waterproof"]
        aspect = rng.choice(aspects)
        slots: dict = {}
        item_ids = [product["item_id"]]
        faq_ids: list[str] = []
        if aspect == "material":
            text = rng.choice(
                (
                    f"What is the {name} made of?",
                    f"What material is the {name}?",
                    f"What's the {name} made from?",
                    f"Which fabric does the {name} use?",
                )
            )
            reply = f"The {title} is made of {attrs['material']}. {_first_sentence(product)}"
        elif aspect == "stock":
            text = rng.choice(
                (
                    f"Is the {name} in stock?",
                    f"Do you have the {name} available right now?",
                    f"Can I still order the {name}?",
                    f"is {name} available",
                    f"Any {name} left?",
                )
            )
            stock = product["stock"]
            if stock == 0:
                reply = (
                    f'Sorry, the {title} is currently out of stock. Click "Notify me" on the '
                    "product page and we'll email you when it's back; most items are restocked "
                    "within 2-6 weeks."
                )
                faq_ids = ["backorders.en"]
            elif stock <= 5:
                reply = (
                    f"Yes, the {title} is in stock, but only {stock} left, so I'd order soon. "
                    f"It costs {usd(product['price'])}."
                )
            else:
                reply = (
                    f"Yes, the {title} is in stock and ships within 1 business day. It costs "
                    f"{usd(product['price'])}."
                )
        elif aspect == "price":
            text = rng.choice(
                (
                    f"How much is the {name}?",
                    f"What does the {name} cost?",
                    f"price of the {name}?",
                    f"How expensive is the {name}?",
                )
            )
            shipping = (
                "standard shipping within the US is free because it's over 50 USD."
                if product["price"] > 50
                else "standard shipping within the US is 4.95 USD, free on orders over 50 USD."
            )
            reply = f"The {title} costs {usd(product['price'])}; {shipping}"
        elif aspect == "details":
            text = rng.choice(
                (
                    f"Tell me more about the {name}.",
                    f"What is the {name} good for?",
                    f"Can you describe the {name}?",
                    f"What are the features of the {name}?",
                )
            )
            reply = f"{product['description']} The {title} costs {usd(product['price'])}."
        elif aspect == "size":
            wanted = self._size_word(product) if rng.random() < 0.5 else None
            if wanted is None and rng.random() < 0.5:
                wanted = rng.choice(("48", "35", "XXL", "XS"))
                if product["category"] in SHOE_CATEGORIES and not wanted.isdigit():
                    wanted = "48"
                if product["category"] not in SHOE_CATEGORIES and wanted.isdigit():
                    wanted = "XXL"
            if wanted:
                slots["size"] = wanted
                text = rng.choice(
                    (
                        f"Is the {name} available in size {wanted}?",
                        f"Do you have the {name} in {wanted}?",
                        f"Does the {name} come in a {wanted}?",
                    )
                )
                if size_fits(attrs["size"], wanted):
                    reply = (
                        f"Yes, the {title} comes in sizes {attrs['size']}, so {wanted} is "
                        "available."
                    )
                else:
                    reply = (
                        f"Sorry, the {title} comes in sizes {attrs['size']}, so {wanted} isn't "
                        "available."
                    )
            else:
                text = rng.choice(
                    (
                        f"What sizes does the {name} come in?",
                        f"Which sizes are available for the {name}?",
                        f"size range of the {name}?",
                    )
                )
                reply = f"The {title} comes in sizes {attrs['size']}."
            if product["category"] == "running-shoes":
                reply += (
                    " For running shoes, most people go half a size up from their everyday shoes."
                )
        elif aspect == "colour":
            siblings = [
                p
                for p in self.products
                if p is not product
                and p["_type"] == product["_type"]
                and p["_model"] == product["_model"]
                and p["brand"] == product["brand"]
                and p["attributes"].get("colour") != attrs["colour"]
            ]
            if siblings and rng.random() < 0.6:
                other = siblings[0]
                wanted = other["attributes"]["colour"]
                slots["colour"] = wanted
                text = rng.choice(
                    (
                        f"Does the {name} come in {wanted}?",
                        f"Do you have the {name} in {wanted}?",
                    )
                )
                reply = (
                    f"The {title} is {attrs['colour']}, but the same model also comes in "
                    f"{wanted}: the {other['title']}, at {usd(other['price'])}."
                )
                if other["stock"] == 0:
                    reply += " It's out of stock at the moment, though."
                item_ids.append(other["item_id"])
            else:
                text = rng.choice(
                    (
                        f"What colour is the {name}?",
                        f"Which colours does the {name} come in?",
                        f"colour of the {name}?",
                    )
                )
                reply = f"The {title} comes in {attrs['colour']}."
        else:
            footwear = product["category"] in SHOE_CATEGORIES
            text = rng.choice(
                (
                    f"Is the {name} waterproof?",
                    f"Can I use the {name} in the rain?",
                    f"Will the {name} keep my feet dry?"
                    if footwear
                    else f"Is the {name} OK in wet weather?",
                    f"waterproof? {name}",
                )
            )
            if is_waterproof(product):
                reply = f"Yes, the {title} is waterproof. {_first_sentence(product)}"
            else:
                reply = (
                    f"No, the {title} isn't waterproof, so it's best for dry conditions. "
                    f"{_first_sentence(product)}"
                )
        return (
            self.user(self._decorate(text), "product_question", slots),
            self.assistant(reply.strip(), faq_ids=faq_ids, item_ids=item_ids),
        )

    def question_dialogue(self) -> list[dict] | None:
        product = self.rng.choice(self.products)
        made = self.question_turns(product)
        return list(made) if made else None

    # ---- handoff, smalltalk, out of scope ---------------------------------------------
    def complaint_dialogue(self) -> list[dict]:
        rng = self.rng
        template = rng.choice(COMPLAINTS)
        slots = {}
        ref = ""
        values = {}
        if "{oid}" in template:
            order = self._order()
            values["oid"] = order["order_id"]
            slots["order_id"] = order["order_id"]
            ref = f" I've added order {order['order_id']} to the handover so they have the details."
        if "{short}" in template:
            values["short"] = self._short(rng.choice(self.products))
        text = self._decorate(template.format(**values))
        reply = rng.choice(COMPLAINT_REPLIES).format(ref=ref)
        return [self.user(text, "complaint", slots), self.assistant(reply)]

    def human_dialogue(self) -> list[dict]:
        rng = self.rng
        template = rng.choice(HUMAN_AGENT)
        slots = {}
        ref = ""
        if "{oid}" in template:
            order = self._order()
            template = template.format(oid=order["order_id"])
            slots["order_id"] = order["order_id"]
            ref = f" I've passed on order {order['order_id']} so the agent has the details."
        reply = rng.choice(HUMAN_REPLIES).format(ref=ref)
        return [self.user(self._decorate(template), "human_agent", slots), self.assistant(reply)]

    def smalltalk_dialogue(self, intent: str, language: str = "en") -> list[dict]:
        heads, tails = SMALLTALK[intent][language]
        text = self.rng.choice(heads) + self.rng.choice(tails)
        if language == "en" and self.rng.random() < 0.2:
            text = text.lower()
        reply = self.rng.choice(SMALLTALK_REPLIES[intent][language])
        return [self.user(text, intent), self.assistant(reply)]

    def out_of_scope_dialogue(self) -> list[dict]:
        text = self._decorate(self.rng.choice(OUT_OF_SCOPE))
        return [
            self.user(text, "out_of_scope"),
            self.assistant(self.rng.choice(OUT_OF_SCOPE_REPLIES)),
        ]

    # ---- multi-turn dialogues -----------------------------------------------------------
    def multi_search_cheaper(self) -> list[dict] | None:
        made = self.search_dialogue()
        if not made:
            return None
        turns, query = made
        shown = query["shown"]
        if query.get("max_price") is not None or len(shown) < 2:
            return None
        cheapest = min(p["price"] for p in shown)
        limit = math.floor(cheapest / 5) * 5
        if limit < 10:
            return None
        hits = self.search(
            query["category"], query["ptype"], query.get("min_price"), float(limit),
            query.get("colour"), query.get("size"),
        )  # fmt: skip
        if not hits:
            return None
        text = self.rng.choice(
            (
                f"Do you have anything cheaper, say under {limit}?",
                f"Those are a bit pricey. Anything below ${limit}?",
                f"cheaper ones? max {limit} dollars",
                f"Anything similar for less than {limit} USD?",
                f"Hmm, my budget is {limit} dollars. Any options?",
                f"Could you show me ones under {limit} bucks instead?",
            )
        )
        slots = {"category": query["category"], "max_price": float(limit)}
        for key in ("colour", "size", "min_price"):
            if key in query:
                slots[key] = query[key]
        shown2 = hits[:5]
        reply = f"Here's what I have under {limit} USD:\n" + self._listing(shown2)
        return turns + [
            self.user(text, "product_search", slots),
            self.assistant(reply, item_ids=[p["item_id"] for p in shown2]),
        ]

    def multi_status_then_email(self) -> list[dict]:
        order = self._order_mixed()
        first = [
            self.user(
                self._order_with_email_text(ORDER_ID_ONLY, order),
                "order_status",
                {"order_id": order["order_id"]},
            ),
            self.assistant(self.ask_email(order["order_id"])),
        ]
        email_text = self.rng.choice(
            (
                "{email}",
                "It's {email}",
                "sure, {email}",
                "The email is {email}.",
                "I used {email}",
                "{email} - thanks",
                "My email address is {email}",
            )
        ).format(email=order["email"])
        turns = first + [
            self.user(
                email_text, "order_status", {"order_id": order["order_id"], "email": order["email"]}
            ),
            self.assistant(self.status_text(order)),
        ]
        if self.rng.random() < 0.35:
            turns += self.smalltalk_dialogue("thanks")
        return turns

    def multi_search_then_question(self) -> list[dict] | None:
        made = self.search_dialogue()
        if not made:
            return None
        turns, query = made
        shown = query["shown"]
        index = self.rng.randrange(len(shown))
        product = shown[index]
        ordinal = ("first", "second", "third", "fourth", "fifth")[index]
        name = self.rng.choice((f"{ordinal} one", self._short(product)))
        made_q = self.question_turns(product, name=name)
        if not made_q:
            return None
        return turns + list(made_q)

    def multi_greeting_then_faq(self) -> list[dict]:
        intent = self.rng.choice(tuple(FAQ_PHRASES))
        return self.smalltalk_dialogue("greeting") + self.faq_dialogue(intent)

    def multi_faq_then_thanks(self) -> list[dict]:
        intent = self.rng.choice(tuple(FAQ_PHRASES))
        turns = self.faq_dialogue(intent) + self.smalltalk_dialogue("thanks")
        if self.rng.random() < 0.4:
            turns += self.smalltalk_dialogue("goodbye")
        return turns

    def multi_status_then_cancel(self) -> list[dict]:
        order = self._order(self.rng.choice(("processing", "processing", "shipped", "delivered")))
        text = self.rng.choice(
            (
                "OK, then please cancel it.",
                "Can you cancel it?",
                "I don't need it anymore, cancel please.",
                "Please cancel that order.",
                "Then I'd like to cancel it.",
                "cancel it then",
            )
        )
        return [
            self.user(
                self._order_with_email_text(ORDER_ID_EMAIL, order),
                "order_status",
                {"order_id": order["order_id"], "email": order["email"]},
            ),
            self.assistant(self.status_text(order)),
            self.user(text, "cancel_order", {"order_id": order["order_id"]}),
            self.cancel_reply(order),
        ]

    def multi_question_then_complements(self) -> list[dict] | None:
        product = self.rng.choice(
            [p for p in self.in_stock if TYPES_BY_KEY[p["_type"]].complements]
        )
        made = self.question_turns(product)
        picks = self.complements_of(product)
        if not made or not picks:
            return None
        text = self.rng.choice(
            (
                "What goes well with it?",
                "What else would I need with that?",
                "Anything you'd recommend to go with it?",
                "Nice. Any accessories for it?",
                "What would you pair it with?",
            )
        )
        reply = f"These go well with the {self._short(product)}:\n" + self._listing(picks)
        return list(made) + [
            self.user(text, "product_recommendation"),
            self.assistant(reply, item_ids=[p["item_id"] for p in picks]),
        ]

    def multi_change_address(self) -> list[dict]:
        order = self._order("processing")
        rng = self.rng
        street = f"{rng.randint(10, 990)} {rng.choice(('Cedar', 'Aspen', 'Walnut', 'Spruce'))} "
        street += rng.choice(("Avenue", "Street", "Court"))
        city = rng.choice(("Denver, CO 80211", "Boulder, CO 80304", "Fort Collins, CO 80521"))
        address = f"{street}, {city}"
        text = rng.choice(
            (
                f"The new address is {address}.",
                f"Please send it to {address} instead.",
                f"{address}",
                f"New address: {address}. Thanks!",
            )
        )
        reply = (
            f"Done: order {order['order_id']} will now be delivered to {address}. You'll get a "
            "confirmation email with the updated address."
        )
        return [
            self.user(
                self._order_with_email_text(ADDRESS_ID_EMAIL, order),
                "change_address",
                {"order_id": order["order_id"], "email": order["email"]},
            ),
            self.address_reply(order),
            self.user(text, "change_address", {"order_id": order["order_id"]}),
            self.assistant(reply, faq_ids=["change-address.en"]),
        ]

    # ---- everything ----------------------------------------------------------------------
    def build(self) -> list[dict]:
        makers = {
            "order_status": self.order_status_dialogue,
            "cancel_order": self.cancel_dialogue,
            "change_address": self.address_dialogue,
            "product_search": self.product_search_dialogue,
            "product_recommendation": self.recommendation_dialogue,
            "product_question": self.question_dialogue,
            "complaint": self.complaint_dialogue,
            "human_agent": self.human_dialogue,
            "out_of_scope": self.out_of_scope_dialogue,
        }
        for intent in FAQ_PHRASES:
            makers[intent] = lambda intent=intent: self.faq_dialogue(intent)
        for intent in ("greeting", "thanks", "goodbye"):
            makers[intent] = lambda intent=intent: self.smalltalk_dialogue(intent)
        for intent in sorted(makers):
            got = self.fill_until(PER_INTENT, makers[intent])
            if got < PER_INTENT:
                raise RuntimeError(f"only {got} unique dialogues for intent {intent}")
        for language in ("es", "zh"):
            table = ES_PHRASES if language == "es" else ZH_PHRASES
            for topic in table:
                self.fill_until(
                    5, lambda t=topic, lang=language: self.translated_dialogue(t, lang), language
                )
            for intent in ("greeting", "thanks", "goodbye"):
                self.fill_until(
                    3, lambda i=intent, lang=language: self.smalltalk_dialogue(i, lang), language
                )
        multi = (
            (self.multi_search_cheaper, 12),
            (self.multi_status_then_email, 12),
            (self.multi_search_then_question, 8),
            (self.multi_greeting_then_faq, 8),
            (self.multi_faq_then_thanks, 8),
            (self.multi_status_then_cancel, 6),
            (self.multi_question_then_complements, 6),
            (self.multi_change_address, 4),
        )
        for make, count in multi:
            self.fill_until(count, make)
        return self.dialogues


def _lower_first(text: str) -> str:
    if text.startswith(("I ", "I'", "ParcelPoint", "WELCOME10", "Fernway")):
        return text
    head = text[0]
    if head in "¿¡" and len(text) > 1:
        return head + text[1].lower() + text[2:]
    return head.lower() + text[1:]


def _first_sentence(product: dict) -> str:
    description = product["description"]
    end = description.find(". ")
    return description if end < 0 else description[: end + 1]


def _warranty_lead(category: str, name: str) -> str:
    years = "1 year" if category in WEARABLE_CATEGORIES else "2 years"
    verb = "are" if name.endswith("s") else "is"
    return f"{name[0].upper() + name[1:]} {verb} covered for {years} against manufacturing defects."


ORDER_ID_EMAIL = (
    "Where is my order {oid}? My email is {email}.",
    "Hi, order {oid}, email {email}. Has it shipped yet?",
    "Can you check the status of order #{oid}? The email on it is {email}",
    "{email} - order {oid}, any update?",
    "I'd like to know where order {oid} is. I used {email} when I ordered.",
    "What's happening with my order {oid}? ({email})",
    "track order {oid} for {email} please",
    "Order number {oid}, registered to {email}. When will it arrive?",
    "Has my package shipped? Order {oid}, {email}",
    "Could you tell me the delivery status of order {oid}? My email address is {email}.",
    "I placed order {oid} with {email} and haven't heard anything since. What's the status?",
    "status for order no. {oid} / {email}",
    "Is order {oid} delivered yet? email: {email}",
    "Checking on {oid}, account {email}.",
)
ORDER_ID_ONLY = (
    "Where is my order {oid}?",
    "What's the status of order #{oid}?",
    "Has order {oid} shipped yet?",
    "Can you check order {oid} for me?",
    "order {oid} status",
    "Any update on order {oid}?",
    "Is my order {oid} on its way?",
    "When will order {oid} arrive?",
    "I ordered last week, the order number is {oid}. Where is it?",
    "Track {oid} please",
    "Could you look up order {oid}?",
    "Has {oid} been delivered?",
    "I'm waiting for order {oid}, any news?",
    "where's #{oid}",
)
CANCEL_ID_EMAIL = (
    "Please cancel order {oid}, my email is {email}.",
    "I want to cancel order {oid} ({email}).",
    "Can you cancel my order {oid}? Email: {email}",
    "cancel {oid} please, {email}",
    "I ordered the wrong size, can I cancel order {oid}? It's under {email}.",
    "I changed my mind, please cancel order {oid}. Email {email}",
    "Hi, I need to cancel my order {oid}. The email on the order is {email}.",
    "Is it too late to cancel order {oid}? my email is {email}",
    "Cancel order #{oid} for {email}.",
    "Could you cancel {oid}? I found it cheaper elsewhere. {email}",
)
CANCEL_ID_ONLY = (
    "Please cancel order {oid}.",
    "I want to cancel my order {oid}.",
    "Can I still cancel order #{oid}?",
    "cancel order {oid}",
    "I'd like to cancel {oid}, I ordered by mistake.",
    "How do I cancel order {oid}?",
    "Stop order {oid} please.",
)
ADDRESS_ID_EMAIL = (
    "I need to change the delivery address for order {oid}. Email {email}.",
    "Can you update the shipping address on {oid}? I used {email}",
    "I moved. Can order {oid} go to my new address? ({email})",
    "wrong address on order {oid}! email is {email}",
    "Please send order {oid} to my work address instead. My email: {email}",
    "Is it possible to change where order {oid} is delivered? It's under {email}.",
    "I made a typo in the address for order {oid}, email {email}, can you fix it?",
    "Change the address on order #{oid} please ({email}).",
)
ADDRESS_ID_ONLY = (
    "Can I change the address on order {oid}?",
    "I need to update the shipping address of my order {oid}.",
    "order {oid}: wrong street number, can you change it?",
    "Please change the delivery address for {oid}.",
    "Can order {oid} be sent somewhere else?",
)
SEARCH_TEMPLATES = (
    "Show me {q}.",
    "Do you have {q}?",
    "I'm looking for {q}.",
    "Any {q}?",
    "I need {q}.",
    "Can you find me {q}?",
    "{q}",
    "looking for {q}, what do you have?",
    "What {q} do you have?",
    "Search for {q}",
    "Got any {q}?",
    "I want to buy {q}.",
)
COMPLEMENT_TEMPLATES = (
    "What goes well with the {name}?",
    "I just bought the {name}. What else would I need?",
    "Anything I should get to go with the {name}?",
    "What accessories do you recommend for the {name}?",
    "I'm getting the {name}, what pairs well with it?",
    "What do people usually buy together with the {name}?",
    "Complete my setup: I have the {name}, what's missing?",
)
GIFT_TEMPLATES = (
    "What would make a good gift for {who}?",
    "Any gift ideas for {who}?",
    "I need a present for {who}. Suggestions?",
    "Help me find a birthday gift for {who}.",
)
GIFT_BUDGET_TEMPLATES = (
    "Gift ideas for {who} under ${budget}?",
    "I need a present for {who}, budget {budget} dollars.",
    "What can I get {who} for less than {budget} USD?",
    "Looking for a gift for {who}, around {budget} bucks max.",
)
POPULAR_TEMPLATES = (
    "What are your best-selling {what}?",
    "What's popular in {what} right now?",
    "Which {what} do other customers like most?",
    "Recommend me some {what}, what's trending?",
    "What are your top {what} at the moment?",
)
USE_TEMPLATES = (
    "Can you recommend {one} for {use}?",
    "I need {one} for {use}, what do you suggest?",
    "Which {many} would you recommend for {use}?",
    "What's a good choice of {many} for {use}?",
    "Suggest {one} for {use} please.",
)
CHEAPER_ALTERNATIVE_TEMPLATES = (
    "Is there something like the {name} but cheaper?",
    "Can you suggest an alternative to the {name} for less money?",
    "The {name} is too expensive for me. Anything similar?",
    "Any cheaper options similar to the {name}?",
)
