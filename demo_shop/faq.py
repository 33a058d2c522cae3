"""The demo shop's FAQ: policy facts in English, the main topics also in Spanish and Chinese.

Every number here (days, fees, thresholds) is the shop's policy; the dialogue generator's
reference replies quote the same numbers, so keep them in sync when editing.
"""

from __future__ import annotations

SHOP_NAME = "Fernway"
SUPPORT_PHONE = "+1 (303) 555-0142"
SUPPORT_EMAIL = "support@fernway.example"
SUPPORT_HOURS = "Monday to Friday 8 am-8 pm and Saturday 9 am-5 pm Mountain Time (MT)"
STANDARD_FEE = 4.95
FREE_SHIPPING_OVER = 50.0
EXPRESS_FEE = 12.95
INTERNATIONAL_FEE = 19.95
INTERNATIONAL_FREE_OVER = 150.0
RETURN_DAYS = 30
PAY_LATER_RANGE = (100.0, 1000.0)

# Countries the shop delivers to (36: the EU-27 plus nine more).
SHIPPING_COUNTRIES = (
    "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia",
    "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia",
    "Lithuania", "Luxembourg", "Malta", "the Netherlands", "Poland", "Portugal", "Romania",
    "Slovakia", "Slovenia", "Spain", "Sweden", "Canada", "the United Kingdom", "Switzerland",
    "Norway", "Australia", "New Zealand", "Japan", "South Korea", "Singapore",
)  # fmt: skip

# (topic, category, question, answer) in English.
FAQ_EN: tuple[tuple[str, str, str, str], ...] = (
    # shipping
    (
        "shipping-times",
        "shipping",
        "How long does delivery take?",
        "Standard shipping within the US takes 3-5 business days after your order ships, and "
        "express shipping takes 1-2 business days. Orders placed before 1 pm Mountain Time (MT) "
        "on a business day leave our warehouse the same day; later orders ship the next "
        "business day.",
    ),
    (
        "shipping-costs",
        "shipping",
        "How much does shipping cost?",
        "Standard shipping within the US costs 4.95 USD and is free on orders over 50 USD "
        "(after discounts). Express shipping costs 12.95 USD. International shipping is a flat "
        "19.95 USD, free on orders over 150 USD.",
    ),
    (
        "express-shipping",
        "shipping",
        "Do you offer express or next-day delivery?",
        "Yes. Express shipping delivers in 1-2 business days within the contiguous US for "
        "12.95 USD; choose it at checkout. Express orders placed before 1 pm MT on a business "
        "day ship the same day. Express is not available to PO boxes, Alaska or Hawaii.",
    ),
    (
        "international-shipping",
        "shipping",
        "Do you ship internationally?",
        "We ship to 36 countries, including Canada, the United Kingdom, all EU countries, "
        "Switzerland, Norway, Australia, New Zealand, Japan, South Korea and Singapore. "
        "International delivery takes 7-14 business days and costs a flat 19.95 USD, free on "
        "orders over 150 USD. Import duties and taxes are not included and are collected by "
        "the carrier on delivery.",
    ),
    (
        "shipping-carriers",
        "shipping",
        "Which carriers do you use?",
        "Standard US orders ship with ParcelPoint, express orders with SwiftPost Express and "
        "international orders with GlobeLine. The carrier and tracking number are in your "
        "shipping confirmation email and on the order page in your account.",
    ),
    (
        "dispatch-time",
        "shipping",
        "When will my order ship?",
        "Orders placed before 1 pm MT Monday to Friday ship the same business day; orders "
        "placed later, at weekends or on US public holidays ship the next business day. "
        "During big sales such as Black Friday week, allow one extra business day.",
    ),
    (
        "po-box-delivery",
        "shipping",
        "Can you deliver to a PO box or an APO/FPO address?",
        "Standard shipping can deliver to PO boxes and APO/FPO/DPO addresses, usually in 5-10 "
        "business days. Express shipping needs a street address. Tents, dumbbells and other "
        "bulky items cannot be sent to PO boxes.",
    ),
    (
        "missed-delivery",
        "shipping",
        "What happens if I miss the delivery?",
        "ParcelPoint makes up to three delivery attempts and leaves a notice each time. After "
        "the last attempt the parcel is held at the nearest pickup point for 7 days, then sent "
        "back to us. When it comes back we refund the order, or re-ship it once for free if "
        "you ask us to.",
    ),
    # returns
    (
        "return-policy",
        "returns",
        "What is your return policy?",
        "You can return most items within 30 days of delivery for a full refund. Items must "
        "be unused, with the original tags and packaging; shoes may be tried on indoors. "
        "Returns are free within the US with our prepaid label; international customers pay "
        "the return shipping.",
    ),
    (
        "how-to-return",
        "returns",
        "How do I return an item?",
        'Sign in, go to Orders, choose the order and click "Start a return". Select the items '
        "and a reason, then print the prepaid ParcelPoint label or show the QR code at any "
        "ParcelPoint drop-off point within 14 days. Guests can start a return on the Returns "
        "page with their order number and email address.",
    ),
    (
        "return-shipping-cost",
        "returns",
        "Do I have to pay for return shipping?",
        "Returns from US addresses are free: use the prepaid ParcelPoint label from the "
        "returns page. For international orders you pay the return shipping with a tracked "
        "service of your choice. If an item arrived faulty or we sent the wrong item, we cover "
        "the return shipping wherever you are.",
    ),
    (
        "exchanges",
        "returns",
        "Can I exchange an item for a different size or colour?",
        "Yes, exchanges for another size or colour of the same item are free within 30 days "
        'of delivery. Choose "Exchange" instead of "Refund" when you start the return; we '
        "ship the replacement as soon as the carrier scans your parcel. If the size you want "
        "is out of stock, we refund you instead.",
    ),
    (
        "non-returnable-items",
        "returns",
        "Are there items I cannot return?",
        'Gift cards, personalised items and products marked "Final sale" cannot be returned. '
        "Socks and in-ear headphones can only be returned if the packaging or hygiene seal is "
        "unopened. Everything else can be returned within 30 days of delivery.",
    ),
    (
        "return-electronics",
        "returns",
        "Can I return electronics that I have opened?",
        "Yes, opened electronics can be returned within 30 days of delivery if they are in "
        "like-new condition with all accessories, cables and the original box. Please reset "
        "watches and headphones and remove them from your app account first. In-ear "
        "headphones are returnable only with the hygiene seal intact.",
    ),
    (
        "return-gifts",
        "returns",
        "How do I return a gift?",
        "Start the return on the Returns page with the order number from the gift receipt and "
        'choose "This was a gift". The refund is issued as Fernway store credit to the email '
        "address you enter, and the person who bought the gift is not notified.",
    ),
    # refunds
    (
        "refund-timing",
        "refunds",
        "When will I get my refund?",
        "We process your refund within 3 business days after your return reaches our "
        "warehouse and email you when it is done. Card refunds then take 5-10 business days "
        "to appear on your statement, PayPal refunds 1-3 business days, and store credit is "
        "available immediately.",
    ),
    (
        "refund-method",
        "refunds",
        "How will I be refunded?",
        "Refunds go back to the original payment method: card, PayPal, Apple Pay or Google "
        "Pay. Orders paid with a gift card are refunded to a new gift card. If you prefer, we "
        "can refund you in store credit instead, which is available immediately.",
    ),
    (
        "refund-shipping-fee",
        "refunds",
        "Is the shipping fee refunded?",
        "The original shipping fee is not refunded for normal returns. If the item was "
        "faulty, damaged in transit or not what you ordered, we refund the shipping fee as "
        "well. The return label for US orders is free.",
    ),
    (
        "refund-not-received",
        "refunds",
        "I haven't received my refund yet. What should I do?",
        "Please allow 10 business days after our refund confirmation email, because banks "
        "take time to post refunds. If it still has not arrived, check with your bank using "
        "the refund date and amount, then contact us with your order number and we will send "
        "you the refund reference.",
    ),
    (
        "partial-refund",
        "refunds",
        "Why did I only get a partial refund?",
        "If you returned only some items from an order, only those items are refunded. Items "
        "returned used, damaged or with missing parts may get a partial refund; we email you "
        "photos and the reason. The original shipping fee is not refunded unless the item was "
        "faulty.",
    ),
    # payment
    (
        "payment-methods",
        "payment",
        "Which payment methods do you accept?",
        "We accept Visa, Mastercard, American Express and Discover cards, PayPal, Apple Pay, "
        "Google Pay and Fernway gift cards. Orders from 100 to 1,000 USD can also be split "
        "into 4 interest-free payments with Fernway Pay Later. We do not offer cash on "
        "delivery.",
    ),
    (
        "card-declined",
        "payment",
        "Why was my card declined?",
        "Check that the card number, expiry date, security code and billing address match "
        "what your bank has on file, and approve the 3-D Secure check if your bank asks for "
        "it. Declines are decided by your bank, so we cannot see the reason; if it keeps "
        "failing, call your bank or use another payment method such as PayPal.",
    ),
    (
        "double-charge",
        "payment",
        "I was charged twice for my order.",
        "Usually one of the two amounts is a pending authorization from an earlier attempt, "
        "and your bank removes it within 3-5 business days. If both charges are still there "
        "after 5 business days, contact us with your order number and the last 4 digits of "
        "the card and we will refund the duplicate.",
    ),
    (
        "payment-timing",
        "payment",
        "When is my card charged?",
        "We authorize the amount when you place the order and take the payment when the order "
        "ships. If an order is cancelled before it ships, the authorization is released and "
        "disappears within 3-5 business days, depending on your bank.",
    ),
    (
        "pay-later",
        "payment",
        "Can I pay in installments?",
        "Yes. Fernway Pay Later splits orders from 100 to 1,000 USD into 4 interest-free "
        "payments, one every two weeks; the first payment is taken when the order ships. "
        "Choose Pay Later at checkout; approval takes a few seconds and does not affect your "
        "credit score.",
    ),
    (
        "currency",
        "payment",
        "Which currency are your prices in?",
        "All prices are in US dollars (USD) and you are charged in USD. If your card is in "
        "another currency, your bank converts the amount and may add a foreign transaction "
        "fee. Import duties on international orders are paid separately on delivery.",
    ),
    (
        "gift-cards",
        "payment",
        "How do gift cards work?",
        "Fernway gift cards are available from 25 to 500 USD, are delivered by email and never "
        "expire. Enter the code at checkout; any remaining balance stays on the card, and you "
        "can pay the rest with another payment method. Gift cards cannot be used to buy other "
        "gift cards.",
    ),
    # account
    (
        "create-account",
        "account",
        "How do I create an account?",
        'Click "Sign in" at the top of the page, choose "Create account" and enter your email '
        "address and a password of at least 10 characters. With an account you can track "
        "orders, start returns in two clicks and save addresses. If you ordered as a guest "
        "before, use the same email and your past orders will appear.",
    ),
    (
        "reset-password",
        "account",
        "I forgot my password.",
        'Click "Sign in", then "Forgot password?" and enter your email address. We send a '
        "reset link that is valid for 60 minutes; check your spam folder if it has not arrived "
        "within 5 minutes. For security, our support team cannot see or set your password.",
    ),
    (
        "account-locked",
        "account",
        "My account is locked.",
        "After 5 failed sign-in attempts your account is locked for 30 minutes to protect it. "
        'Wait 30 minutes and sign in again, or reset your password with "Forgot password?", '
        "which unlocks the account immediately.",
    ),
    (
        "guest-checkout",
        "account",
        "Can I order without an account?",
        "Yes, you can check out as a guest with just your email address. You can track guest "
        "orders and start returns with your order number and email. If you create an account "
        "later with the same email, your guest orders are added to it.",
    ),
    (
        "change-email",
        "account",
        "How do I change my email address or account details?",
        "Sign in and go to Account > Profile to change your name, email address, password or "
        "saved addresses. A new email address must be confirmed with the link we send to it "
        "before it becomes active. Changes do not affect orders that were already placed.",
    ),
    (
        "newsletter",
        "account",
        "How do I subscribe to or unsubscribe from the newsletter?",
        "Subscribe at the bottom of any page or under Account > Communication preferences; new "
        "subscribers get the code WELCOME10 for 10% off their first order. To unsubscribe, "
        "click the link at the end of any newsletter or untick the box in your account; it "
        "takes effect within 48 hours.",
    ),
    (
        "delete-account",
        "account",
        "How do I delete my account?",
        'Go to Account > Privacy and choose "Delete my account", or email '
        "privacy@fernway.example from the address on the account. We delete your account and "
        "personal data within 30 days. Invoices are kept for 7 years because tax law requires "
        "it.",
    ),
    # orders
    (
        "order-tracking",
        "orders",
        "How can I track my order?",
        "When your order ships we email you a tracking number and link. You can also see the "
        "status and tracking under Account > Orders, or on the Track Order page with your "
        "order number and email address. Tracking can take up to 24 hours to show the first "
        "scan.",
    ),
    (
        "cancel-order",
        "orders",
        "Can I cancel my order?",
        'You can cancel an order while its status is "Processing", under Account > Orders or '
        "by asking us. Once it has shipped it can no longer be cancelled, but you can return "
        "it within 30 days of delivery. For cancelled orders the payment authorization is "
        "released within 3-5 business days.",
    ),
    (
        "change-address",
        "orders",
        "Can I change the delivery address of my order?",
        "We can change the address while the order is still processing; ask us as soon as "
        "possible with your order number and the new address. Once an order has shipped we "
        "cannot change it, but for ParcelPoint parcels within the US you can request a "
        "redirect on the carrier's tracking page.",
    ),
    (
        "order-confirmation",
        "orders",
        "I didn't get an order confirmation email.",
        "Confirmation emails are sent within 15 minutes of placing an order. Check your spam "
        "or promotions folder and that the email address in your account is correct. You can "
        "also see every order under Account > Orders; if it is not there, the order was not "
        "completed and you were not charged.",
    ),
    (
        "modify-order",
        "orders",
        "Can I add or change items in my order?",
        "Items cannot be added to or removed from an order once it has been placed. While the "
        "order is still processing, we can cancel it so you can place a new one with the "
        "right items. After it ships, you can return unwanted items within 30 days of "
        "delivery.",
    ),
    (
        "missing-item",
        "orders",
        "An item is missing from my order.",
        "Larger orders sometimes ship in more than one parcel; your shipping emails list what "
        "is in each parcel. If an item is still missing after every parcel has arrived, "
        "contact us within 14 days of delivery with your order number and we will send it or "
        "refund it.",
    ),
    (
        "damaged-item",
        "orders",
        "My order arrived damaged.",
        "We're sorry! Contact us within 14 days of delivery with your order number and a few "
        "photos of the item and the packaging. We send a free replacement or a full refund "
        "including shipping, and you do not need to return the damaged item unless we ask "
        "for it.",
    ),
    (
        "wrong-item",
        "orders",
        "I received the wrong item.",
        "Please contact us with your order number and a photo of the item and its label. We "
        "ship the correct item right away at no cost and email you a prepaid label to return "
        "the wrong one within 30 days.",
    ),
    (
        "backorders",
        "orders",
        "When will an out-of-stock item be available again?",
        'Most items are restocked within 2-6 weeks. Click "Notify me" on the product page and '
        "we email you as soon as it is back. We do not take backorders, so out-of-stock items "
        "cannot be ordered until they are restocked.",
    ),
    (
        "invoices",
        "orders",
        "How do I get an invoice for my order?",
        "A PDF invoice is attached to your shipping confirmation email and can be downloaded "
        "at any time under Account > Orders. If you need a company name or tax number on it, "
        "contact us with the order number within 30 days of purchase.",
    ),
    # warranty
    (
        "warranty-coverage",
        "warranty",
        "What does the warranty cover?",
        "All products are covered against manufacturing defects: footwear and clothing for 1 "
        "year, and backpacks, outdoor gear, home and kitchen products and electronics for 2 "
        "years from delivery. The warranty does not cover normal wear and tear, accidents, "
        "misuse or repairs done by someone else.",
    ),
    (
        "warranty-claim",
        "warranty",
        "How do I make a warranty claim?",
        "Fill in the warranty form on the Help page with your order number, a short "
        "description and photos or a video of the defect. We reply within 2 business days, "
        "and if the claim is approved we send a prepaid label and then repair, replace or "
        "refund the product.",
    ),
    (
        "warranty-electronics",
        "warranty",
        "What if my headphones or watch stop working?",
        "Electronics have a 2-year warranty, which also covers the battery if it holds less "
        "than 70% of its capacity within the first year. Please do not open the device "
        "yourself, since that voids the warranty; try the reset steps in the manual first, "
        "then submit a warranty claim with your order number.",
    ),
    (
        "repairs",
        "warranty",
        "Do you repair items that are out of warranty?",
        "Yes, our repair partner fixes zips, seams and buckles on jackets, backpacks and tents "
        "from 15 USD, and resoles selected hiking boots for 69 USD. Start a repair request on "
        "the Help page; repairs usually take 2-3 weeks including shipping.",
    ),
    # privacy
    (
        "privacy-data",
        "privacy",
        "What personal data do you collect?",
        "We store your name, email address, delivery addresses, order history and, if you "
        "accept optional cookies, what you browse on our site so we can recommend products. "
        "Card details are handled by our payment provider and we never see or store full card "
        "numbers. The details are in our Privacy Policy.",
    ),
    (
        "data-deletion",
        "privacy",
        "How can I delete my personal data?",
        "You can ask us to delete your data under Account > Privacy or by emailing "
        "privacy@fernway.example. We complete the request within 30 days and confirm by email; "
        "invoices are kept for 7 years as tax law requires. You can also download a copy of "
        "your data from the same page.",
    ),
    (
        "cookies",
        "privacy",
        "How do you use cookies?",
        "We use essential cookies to run the shop and your cart, and optional analytics and "
        "personalisation cookies only if you accept them. You can change your choice at any "
        'time with the "Cookie settings" link at the bottom of every page.',
    ),
    (
        "data-sharing",
        "privacy",
        "Do you sell my data?",
        "No, we never sell your personal data. We share only what is needed with carriers to "
        "deliver your order, with our payment provider to take payment, and with service "
        "providers who work for us under contract. We do not use your data for advertising on "
        "other websites.",
    ),
    (
        "chat-transcripts",
        "privacy",
        "Do you store my chat conversations?",
        "Chat conversations are stored for 90 days so our team can follow up on your request "
        "and improve the assistant, and are then deleted. Please do not share card numbers or "
        "passwords in the chat. You can ask for a conversation to be deleted earlier at "
        "privacy@fernway.example.",
    ),
    # sizes
    (
        "size-guide",
        "sizes",
        "Where can I find the size guide?",
        'Every product page has a "Size guide" link under the size selector. Shoes are sold in '
        "EU sizes with US and UK conversions, and clothing in sizes XS-XXL based on chest and "
        "waist measurements in centimetres and inches. If you are unsure, our chat can help "
        "you choose.",
    ),
    (
        "shoe-sizes",
        "sizes",
        "How do your shoe sizes convert?",
        "Men's: EU 40 = US 7 = UK 6.5, EU 41 = US 8 = UK 7.5, EU 42 = US 8.5 = UK 8, EU 43 = US "
        "9.5 = UK 9, EU 44 = US 10 = UK 9.5, EU 45 = US 11 = UK 10.5, EU 46 = US 12 = UK 11.5. "
        "Women's: EU 37 = US 6.5, EU 38 = US 7.5, EU 39 = US 8, EU 40 = US 9, EU 41 = US 9.5. "
        "For running shoes, choose half a size up from your everyday shoes.",
    ),
    (
        "apparel-sizes",
        "sizes",
        "How do your clothing sizes fit?",
        "Men's chest: S 86-94 cm, M 94-102 cm, L 102-110 cm, XL 110-118 cm, XXL 118-126 cm. "
        "Women's chest: XS 78-82 cm, S 82-88 cm, M 88-94 cm, L 94-100 cm, XL 100-106 cm. "
        "Running and merino tees have a close fit; everyday tees and jackets have a regular "
        "fit.",
    ),
    (
        "between-sizes",
        "sizes",
        "I'm between two sizes. Which should I choose?",
        "For jackets and running shoes choose the larger size, so there is room for layers or "
        "for your feet to swell on long runs. For close-fitting running and merino tees, "
        "choose the smaller size. Exchanges for another size are free within 30 days.",
    ),
    (
        "hiking-boot-fit",
        "sizes",
        "How should hiking boots fit?",
        "Try hiking boots on in the afternoon with the socks you will hike in. Your heel "
        "should not lift when you walk and your toes should not touch the front on a "
        "downhill; most people take half a size larger than their everyday shoes. Break new "
        "boots in on short walks before a long hike.",
    ),
    # contact
    (
        "contact-us",
        "contact",
        "How can I contact customer service?",
        "You can chat with us here, call +1 (303) 555-0142 or email support@fernway.example. "
        "Phone and chat agents are available Monday to Friday 8 am-8 pm and Saturday 9 am-5 pm "
        "Mountain Time (MT); we answer emails within 1 business day.",
    ),
    (
        "opening-hours",
        "contact",
        "What are your opening hours?",
        "Customer service is open Monday to Friday 8 am-8 pm and Saturday 9 am-5 pm MT, and "
        "closed on Sundays and US public holidays. Our Boulder store is open Monday to "
        "Saturday 10 am-7 pm and Sunday 11 am-5 pm. The online shop and this assistant are "
        "available 24/7.",
    ),
    (
        "store-location",
        "contact",
        "Do you have a physical store?",
        "Yes, our flagship store is at 77 Larkspur Lane, Boulder, CO 80302, with free customer "
        "parking behind the building. You can pick up online orders there for free, usually "
        "within 2 hours, and return online purchases in the store.",
    ),
    (
        "complaints",
        "contact",
        "How do I make a complaint or give feedback?",
        "We're sorry if something went wrong. Tell us here and ask for an agent, or email "
        "feedback@fernway.example with your order number; a member of our customer care team "
        "replies within 1 business day. We read every piece of feedback.",
    ),
    # discounts
    (
        "discount-codes",
        "discounts",
        "How do I use a discount code?",
        'Enter the code in the "Discount code" field in your cart or at checkout and click '
        "Apply. Only one code can be used per order, codes cannot be combined with other "
        "promotions or used on gift cards, and a code cannot be added to an order after it "
        "has been placed.",
    ),
    (
        "welcome-discount",
        "discounts",
        "Do you have a discount for new customers?",
        "Yes. Sign up for our newsletter and we email you the code WELCOME10 for 10% off your "
        "first order. The code is valid for 30 days and cannot be combined with other codes.",
    ),
    (
        "student-discount",
        "discounts",
        "Do you offer a student discount?",
        "Students get 15% off full-price items. Verify your student status once under Account "
        "> Student discount with your school email address, and we send you a personal code "
        "that works on every order for 12 months.",
    ),
    (
        "price-adjustment",
        "discounts",
        "The price dropped after I bought it. Can I get the difference?",
        "Yes, if the price of an item drops within 14 days of your purchase, contact us with "
        "your order number and we refund the difference once per item. This does not apply "
        "to flash sales or clearance items, and we do not match prices from other shops.",
    ),
    (
        "sales-events",
        "discounts",
        "When do you have sales?",
        "Our main sales are the End of Summer sale in late August, Black Friday week in late "
        "November and the Winter sale in January. Newsletter subscribers get early access 24 "
        "hours before each sale starts. Sale prices are shown on the product pages; no code "
        "is needed.",
    ),
)

# Main topics also offered in Spanish and Chinese: topic -> (question, answer).
FAQ_ES: dict[str, tuple[str, str]] = {
    "shipping-times": (
        "¿Cuánto tarda la entrega?",
        "El envío estándar dentro de EE. UU. tarda de 3 a 5 días hábiles desde que sale tu "
        "pedido, y el envío exprés tarda de 1 a 2 días hábiles. Los pedidos realizados antes de "
        "la 1 p. m., hora de la montaña (MT), en un día hábil salen de nuestro almacén el mismo "
        "día; los pedidos posteriores se envían el siguiente día hábil.",
    ),
    "shipping-costs": (
        "¿Cuánto cuesta el envío?",
        "El envío estándar dentro de EE. UU. cuesta 4.95 USD y es gratis en pedidos de más de "
        "50 USD (después de descuentos). El envío exprés cuesta 12.95 USD. El envío "
        "internacional tiene una tarifa fija de 19.95 USD y es gratis en pedidos de más de 150 "
        "USD.",
    ),
    "international-shipping": (
        "¿Hacen envíos internacionales?",
        "Enviamos a 36 países, entre ellos Canadá, el Reino Unido, todos los países de la UE, "
        "Suiza, Noruega, Australia, Nueva Zelanda, Japón, Corea del Sur y Singapur. La entrega "
        "internacional tarda de 7 a 14 días hábiles y tiene una tarifa fija de 19.95 USD, "
        "gratis en pedidos de más de 150 USD. Los aranceles e impuestos de importación no están "
        "incluidos y el transportista los cobra en la entrega.",
    ),
    "return-policy": (
        "¿Cuál es su política de devoluciones?",
        "Puedes devolver la mayoría de los artículos en un plazo de 30 días desde la entrega y "
        "recibir el reembolso completo. Los artículos deben estar sin usar, con las etiquetas y "
        "el embalaje originales; el calzado se puede probar en interiores. Las devoluciones son "
        "gratuitas dentro de EE. UU. con nuestra etiqueta prepagada; los clientes "
        "internacionales pagan el envío de la devolución.",
    ),
    "how-to-return": (
        "¿Cómo devuelvo un artículo?",
        "Inicia sesión, ve a Pedidos, elige el pedido y haz clic en «Iniciar una devolución». "
        "Selecciona los artículos y el motivo, y luego imprime la etiqueta prepagada de "
        "ParcelPoint o muestra el código QR en cualquier punto de entrega de ParcelPoint en un "
        "plazo de 14 días. Si compraste como invitado, puedes iniciar la devolución en la "
        "página Devoluciones con tu número de pedido y tu correo electrónico.",
    ),
    "refund-timing": (
        "¿Cuándo recibiré mi reembolso?",
        "Procesamos tu reembolso en un plazo de 3 días hábiles desde que tu devolución llega a "
        "nuestro almacén y te avisamos por correo electrónico cuando está hecho. Después, los "
        "reembolsos a tarjeta tardan de 5 a 10 días hábiles en aparecer en tu extracto, los de "
        "PayPal de 1 a 3 días hábiles, y el crédito de tienda está disponible de inmediato.",
    ),
    "payment-methods": (
        "¿Qué métodos de pago aceptan?",
        "Aceptamos tarjetas Visa, Mastercard, American Express y Discover, PayPal, Apple Pay, "
        "Google Pay y tarjetas regalo de Fernway. Los pedidos de 100 a 1,000 USD también se "
        "pueden dividir en 4 pagos sin intereses con Fernway Pay Later. No ofrecemos pago "
        "contra reembolso.",
    ),
    "order-tracking": (
        "¿Cómo puedo rastrear mi pedido?",
        "Cuando tu pedido sale, te enviamos por correo electrónico un número de seguimiento y "
        "un enlace. También puedes ver el estado y el seguimiento en Cuenta > Pedidos, o en la "
        "página Rastrear pedido con tu número de pedido y tu correo electrónico. El primer "
        "escaneo puede tardar hasta 24 horas en aparecer.",
    ),
    "cancel-order": (
        "¿Puedo cancelar mi pedido?",
        "Puedes cancelar un pedido mientras su estado sea «En proceso», desde Cuenta > Pedidos "
        "o pidiéndonoslo. Una vez enviado ya no se puede cancelar, pero puedes devolverlo en un "
        "plazo de 30 días desde la entrega. En los pedidos cancelados, la autorización de pago "
        "se libera en un plazo de 3 a 5 días hábiles.",
    ),
    "change-address": (
        "¿Puedo cambiar la dirección de entrega de mi pedido?",
        "Podemos cambiar la dirección mientras el pedido siga en proceso; escríbenos lo antes "
        "posible con tu número de pedido y la nueva dirección. Cuando el pedido ya se ha "
        "enviado no podemos cambiarla, pero para los paquetes de ParcelPoint dentro de EE. UU. "
        "puedes solicitar un desvío en la página de seguimiento del transportista.",
    ),
    "size-guide": (
        "¿Dónde encuentro la guía de tallas?",
        "Cada página de producto tiene un enlace «Guía de tallas» debajo del selector de "
        "talla. El calzado se vende en tallas EU con equivalencias de EE. UU. y Reino Unido, y "
        "la ropa en tallas XS-XXL según las medidas de pecho y cintura en centímetros y "
        "pulgadas. Si tienes dudas, nuestro chat te ayuda a elegir.",
    ),
    "warranty-coverage": (
        "¿Qué cubre la garantía?",
        "Todos los productos están cubiertos frente a defectos de fabricación: el calzado y la "
        "ropa durante 1 año, y las mochilas, el equipo de exterior, los productos de hogar y "
        "cocina y la electrónica durante 2 años desde la entrega. La garantía no cubre el "
        "desgaste normal, los accidentes, el mal uso ni las reparaciones hechas por terceros.",
    ),
    "contact-us": (
        "¿Cómo puedo contactar con atención al cliente?",
        "Puedes chatear con nosotros aquí, llamar al +1 (303) 555-0142 o escribir a "
        "support@fernway.example. Nuestros agentes de teléfono y chat atienden de lunes a "
        "viernes de 8 a. m. a 8 p. m. y los sábados de 9 a. m. a 5 p. m., hora de la montaña "
        "(MT); "
        "respondemos a los correos en 1 día hábil.",
    ),
    "discount-codes": (
        "¿Cómo uso un código de descuento?",
        "Introduce el código en el campo «Código de descuento» del carrito o de la página de "
        "pago y haz clic en Aplicar. Solo se puede usar un código por pedido, los códigos no se "
        "pueden combinar con otras promociones ni usar en tarjetas regalo, y no se puede añadir "
        "un código a un pedido ya realizado.",
    ),
}

FAQ_ZH: dict[str, tuple[str, str]] = {
    "shipping-times": (
        "送货需要多长时间？",
        "美国境内标准配送在订单发货后需要3-5个工作日，加急配送需要1-2个工作日。工作日山地时间"
        "（MT）下午1点前下的订单当天从仓库发出；之后下的订单在下一个工作日发货。",
    ),
    "shipping-costs": (
        "运费是多少？",
        "美国境内标准配送运费为4.95美元，订单金额（扣除折扣后）超过50美元免运费。加急配送运费"
        "为12.95美元。国际配送统一收取19.95美元，订单超过150美元免运费。",
    ),
    "international-shipping": (
        "你们提供国际配送吗？",
        "我们可配送至36个国家，包括加拿大、英国、所有欧盟国家、瑞士、挪威、澳大利亚、新西兰、"
        "日本、韩国和新加坡。国际配送需要7-14个工作日，统一运费19.95美元，订单超过150美元免运"
        "费。进口关税和税费不包含在内，由承运商在送货时收取。",
    ),
    "return-policy": (
        "你们的退货政策是什么？",
        "大多数商品可在送达后30天内退货并获得全额退款。商品必须未经使用，并保留原始吊牌和包装；"
        "鞋类可以在室内试穿。美国境内使用我们的预付运单退货免费；国际客户需自行支付退货运费。",
    ),
    "how-to-return": (
        "如何退货？",
        "登录后进入“订单”，选择相应订单并点击“申请退货”。选择要退的商品和原因，然后打印"
        "ParcelPoint预付运单，或在14天内到任意ParcelPoint网点出示二维码寄回。游客订单可以在"
        "“退货”页面凭订单号和电子邮箱申请退货。",
    ),
    "refund-timing": (
        "我什么时候能收到退款？",
        "退货到达我们仓库后，我们会在3个工作日内处理退款，并在完成后给您发送电子邮件。之后，"
        "银行卡退款需要5-10个工作日才会显示在账单上，PayPal退款需要1-3个工作日，商店积分则立即"
        "到账。",
    ),
    "payment-methods": (
        "你们接受哪些付款方式？",
        "我们接受Visa、Mastercard、American Express和Discover银行卡，以及PayPal、Apple Pay、"
        "Google Pay和Fernway礼品卡。100至1,000美元的订单还可以通过Fernway Pay Later分4期免息"
        "付款。我们不提供货到付款。",
    ),
    "order-tracking": (
        "如何查询我的订单物流？",
        "订单发货后，我们会通过电子邮件发送运单号和查询链接。您也可以在“账户 > 订单”中查看状态"
        "和物流信息，或在“订单查询”页面输入订单号和电子邮箱查询。首次扫描记录最多可能需要24小"
        "时才会显示。",
    ),
    "cancel-order": (
        "我可以取消订单吗？",
        "订单状态为“处理中”时，您可以在“账户 > 订单”中取消，或联系我们取消。订单发货后就无法"
        "取消，但您可以在送达后30天内退货。已取消订单的付款预授权会在3-5个工作日内释放。",
    ),
    "change-address": (
        "我可以修改订单的收货地址吗？",
        "订单仍在处理中时我们可以修改地址，请尽快把订单号和新地址发给我们。订单发货后我们无法"
        "修改地址，但对于美国境内的ParcelPoint包裹，您可以在承运商的物流查询页面申请改派。",
    ),
    "size-guide": (
        "在哪里可以找到尺码表？",
        "每个商品页面的尺码选择下方都有“尺码指南”链接。鞋类按欧码（EU）销售，并提供美码和英码"
        "换算；服装尺码为XS-XXL，依据胸围和腰围（厘米和英寸）确定。如果不确定，可以在聊天中让"
        "我们帮您选择。",
    ),
    "warranty-coverage": (
        "保修范围包括什么？",
        "所有商品均对制造缺陷提供保修：鞋类和服装自送达起保修1年，背包、户外装备、家居厨房用品"
        "和电子产品保修2年。保修不包括正常磨损、意外损坏、使用不当或由他人进行的维修。",
    ),
    "contact-us": (
        "如何联系客服？",
        "您可以在这里与我们在线聊天，拨打+1 (303) 555-0142，或发送电子邮件至"
        "support@fernway.example。电话和在线客服的服务时间为山地时间（MT）周一至周五上午8点至"
        "晚上8点、周六上午9点至下午5点；我们会在1个工作日内回复电子邮件。",
    ),
    "discount-codes": (
        "如何使用优惠码？",
        "在购物车或结账页面的“优惠码”栏中输入优惠码，然后点击“使用”。每个订单只能使用一个优惠"
        "码，优惠码不能与其他促销叠加，也不能用于购买礼品卡，订单提交后也无法再添加优惠码。",
    ),
}

CATEGORY_BY_TOPIC: dict[str, str] = {topic: category for topic, category, _, _ in FAQ_EN}


def build_faq() -> list[dict]:
    """All FAQ records: English first (in policy order), then Spanish, then Chinese."""
    records = []
    for topic, category, question, answer in FAQ_EN:
        records.append(_record(topic, "en", category, question, answer))
    for language, table in (("es", FAQ_ES), ("zh", FAQ_ZH)):
        for topic, (question, answer) in table.items():
            records.append(_record(topic, language, CATEGORY_BY_TOPIC[topic], question, answer))
    return records


def _record(topic: str, language: str, category: str, question: str, answer: str) -> dict:
    return {
        "faq_id": f"{topic}.{language}",
        "topic": topic,
        "language": language,
        "category": category,
        "question": question,
        "answer": answer,
    }
