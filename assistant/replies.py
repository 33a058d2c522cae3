"""Fixed replies, per language, for the turns where the words must not be left to the LM.

Order facts, handoffs and refusals are templates filled with data, so that a status, a
tracking number or a promise is never invented.
"""

from __future__ import annotations

LANGUAGES = ("en", "es", "zh")  # the languages every template is written in

TEMPLATES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hello! I can help with orders, shipping, returns and finding products. "
        "What can I do for you?",
        "es": "¡Hola! Puedo ayudarte con pedidos, envíos, devoluciones y productos. "
        "¿En qué te ayudo?",
        "zh": "您好！我可以帮您查询订单、配送、退货以及查找商品。请问有什么可以帮您？",
    },
    "thanks": {
        "en": "You're welcome! Is there anything else I can help with?",
        "es": "¡De nada! ¿Puedo ayudarte en algo más?",
        "zh": "不客气！还有什么可以帮您的吗？",
    },
    "goodbye": {
        "en": "Thanks for visiting. Have a great day!",
        "es": "Gracias por tu visita. ¡Que tengas un buen día!",
        "zh": "感谢您的光临，祝您愉快！",
    },
    "out_of_scope": {
        "en": "I can only help with this shop: orders, shipping, returns, payments and "
        "products. Is there something shop-related I can do for you?",
        "es": "Solo puedo ayudarte con esta tienda: pedidos, envíos, devoluciones, pagos y "
        "productos. ¿Hay algo de la tienda en lo que pueda ayudarte?",
        "zh": "我只能帮助处理本店相关的问题：订单、配送、退货、付款和商品。"
        "请问有什么本店相关的问题吗？",
    },
    "clarify": {
        "en": "Sorry, I'm not sure I understood. Is your question about an order, shipping, "
        "a return, a payment or a product?",
        "es": "Perdona, no estoy seguro de haberte entendido. ¿Tu pregunta es sobre un "
        "pedido, un envío, una devolución, un pago o un producto?",
        "zh": "抱歉，我不太确定您的意思。您的问题是关于订单、配送、退货、付款还是商品？",
    },
    "cheaper_than_what": {
        "en": "Cheaper than what? Tell me what you're looking for (for example \"running "
        "shoes under 80\") and I'll find the best prices.",
        "es": '¿Más barato que qué? Dime qué buscas (por ejemplo "zapatillas de running por '
        'menos de 80") y buscaré los mejores precios.',
        "zh": "比什么更便宜？请告诉我您想找什么商品（例如“80元以下的跑鞋”），我来帮您找最优惠的。",
    },
    "empty": {
        "en": "Please type a question and I'll do my best to help.",
        "es": "Escribe tu pregunta y haré lo posible por ayudarte.",
        "zh": "请输入您的问题，我会尽力帮助您。",
    },
    "handoff": {
        "en": "I'm passing this conversation to a member of our support team. "
        "A person will reply here shortly.",
        "es": "Paso esta conversación a una persona de nuestro equipo de atención. "
        "Te responderá aquí en breve.",
        "zh": "我正在将此对话转交给我们的客服人员，稍后会有工作人员在这里回复您。",
    },
    "handed_off": {
        "en": "A member of our support team has this conversation and will reply here.",
        "es": "Una persona de nuestro equipo tiene esta conversación y te responderá aquí.",
        "zh": "客服人员已接手此对话，将在这里回复您。",
    },
    "faq_not_found": {
        "en": "I don't know the answer to that, and I'd rather not guess. "
        "Would you like me to get a person from our team?",
        "es": "No sé la respuesta y prefiero no adivinar. ¿Quieres que te pase con una persona?",
        "zh": "这个问题我不确定，不想随意猜测。需要我为您转接人工客服吗？",
    },
    "english_only": {
        "en": "",
        "es": "(No tengo esta información en español, así que respondo en inglés.) ",
        "zh": "（我们暂时没有该内容的中文版本，因此用英文回答。）",
    },
    "ask_order_and_email": {
        "en": "I can help with that. Please give me your order number and the email "
        "address you used for the order.",
        "es": "Puedo ayudarte. Indícame el número de pedido y el correo electrónico "
        "que usaste al comprar.",
        "zh": "我可以帮您处理。请提供您的订单号以及下单时使用的电子邮箱。",
    },
    "ask_order_id": {
        "en": "Thanks. What is the order number?",
        "es": "Gracias. ¿Cuál es el número de pedido?",
        "zh": "谢谢。请问订单号是多少？",
    },
    "ask_email": {
        "en": "Thanks. To protect your privacy, please also give me the email address "
        "used for order {order_id}.",
        "es": "Gracias. Para proteger tu privacidad, indícame también el correo usado "
        "en el pedido {order_id}.",
        "zh": "谢谢。为保护您的隐私，请同时提供订单 {order_id} 所使用的电子邮箱。",
    },
    "order_locked": {
        "en": "There have been too many attempts to look up this order or email address. "
        "Please try again in 15 minutes, or contact us and our team will help.",
        "es": "Ha habido demasiados intentos de consultar este pedido o correo. Vuelve a "
        "intentarlo dentro de 15 minutos o contacta con nosotros y te ayudaremos.",
        "zh": "查询该订单或邮箱的尝试次数过多。请 15 分钟后再试，或联系我们的团队协助。",
    },
    "order_not_found": {
        "en": "I couldn't find an order with that number and email address. "
        "Please check both: you can send me the correct email or order number.",
        "es": "No encuentro ningún pedido con ese número y ese correo. Compruébalos e "
        "inténtalo de nuevo.",
        "zh": "未找到与该订单号和邮箱匹配的订单，请核对后重试。",
    },
    "products_found": {
        "en": "Here are {n} {what} I found{price}:",
        "es": "Estos son {n} productos ({what}) que he encontrado{price}:",
        "zh": "为您找到 {n} 件商品（{what}）{price}：",
    },
    "product_found_one": {
        "en": "Here is the one I found ({what}){price}:",
        "es": "Este es el producto ({what}) que he encontrado{price}:",
        "zh": "为您找到 1 件商品（{what}）{price}：",
    },
    "products_none": {
        "en": "I couldn't find any {what}{price}. Try a wider price range or another category.",
        "es": "No he encontrado productos ({what}){price}. Prueba otro rango de precio u "
        "otra categoría.",
        "zh": "没有找到符合条件的商品（{what}）{price}。请尝试放宽价格范围或更换类别。",
    },
    "recommendations": {
        "en": "Here are some picks for you, based on what you've looked at:",
        "es": "Aquí tienes algunas sugerencias según lo que has visto:",
        "zh": "根据您浏览过的商品，为您推荐：",
    },
    "english_notice": {
        "en": "(I can answer only in English, Spanish or Chinese, so here is my answer in "
        "English.) ",
    },
    "handoff_upset": {
        "en": "I'm sorry about this. I'm passing the conversation to a person from our team, "
        "who will reply here shortly.",
        "es": "Lamento lo ocurrido. Paso la conversación a una persona de nuestro equipo, "
        "que te responderá aquí en breve.",
        "zh": "非常抱歉给您带来不便。我正在将对话转交给我们的客服人员，稍后会在这里回复您。",
    },
    "refuse_injection": {
        "en": "I can't change how I work or share my instructions. I'm happy to help with "
        "orders, shipping, returns or products.",
        "es": "No puedo cambiar mi forma de trabajar ni compartir mis instrucciones. Con gusto "
        "te ayudo con pedidos, envíos, devoluciones o productos.",
        "zh": "我无法更改我的工作方式，也不能透露我的指令。"
        "我很乐意帮您处理订单、配送、退货或商品问题。",
    },
    "refuse_other_customer": {
        "en": "I'm sorry, I can't share information about other customers or their orders. "
        "I can look up your own order with its order number and your email address.",
        "es": "Lo siento, no puedo compartir información de otros clientes ni de sus pedidos. "
        "Puedo consultar tu propio pedido con su número y tu correo electrónico.",
        "zh": "抱歉，我不能透露其他客户或其订单的信息。我可以凭订单号和您的邮箱查询您自己的订单。",
    },
    "refuse_discount_code": {
        "en": "I'm sorry, I can't create or confirm discount codes that our shop hasn't "
        "published. You can ask me which offers we currently have.",
        "es": "Lo siento, no puedo crear ni confirmar códigos de descuento que la tienda no "
        "haya publicado. Puedes preguntarme qué ofertas tenemos ahora.",
        "zh": "抱歉，我不能生成或确认本店未公布的折扣码。您可以问我目前有哪些优惠活动。",
    },
    "refuse_policy_exception": {
        "en": "I'm sorry, I can't make exceptions to the shop's policies. If your case is "
        "special, a person from our team can look at it: just ask for an agent.",
        "es": "Lo siento, no puedo hacer excepciones a las políticas de la tienda. Si tu caso "
        "es especial, una persona de nuestro equipo puede revisarlo: pide hablar con un agente.",
        "zh": "抱歉，我不能对本店政策破例。如果您的情况特殊，可以要求转人工，由工作人员为您处理。",
    },
    "invalid_email": {
        "en": "That email address doesn't look complete. Please send the email address you "
        "used for the order.",
        "es": "Ese correo no parece completo. Envíame el correo que usaste en el pedido.",
        "zh": "该邮箱地址似乎不完整，请发送您下单时使用的邮箱地址。",
    },
    "cancel_confirm": {
        "en": "Order {order_id} has not shipped yet, so it can be cancelled. Do you want me to "
        "cancel it? Please answer yes or no.",
        "es": "El pedido {order_id} aún no se ha enviado, así que se puede cancelar. "
        "¿Quieres que lo cancele? Responde sí o no.",
        "zh": "订单 {order_id} 尚未发货，可以取消。您确定要取消吗？请回答“是”或“否”。",
    },
    "cancel_kept": {
        "en": "Alright, order {order_id} stays as it is.",
        "es": "De acuerdo, el pedido {order_id} se queda como está.",
        "zh": "好的，订单 {order_id} 保持不变。",
    },
    "cancel_done": {
        "en": "Order {order_id} is now cancelled. The refund follows our refund policy.",
        "es": "El pedido {order_id} está cancelado. El reembolso sigue nuestra política de "
        "reembolsos.",
        "zh": "订单 {order_id} 已取消，退款将按照我们的退款政策处理。",
    },
    "cancel_too_late": {
        "en": " It can no longer be cancelled here; you can return it instead.",
        "es": " Ya no se puede cancelar aquí; puedes devolverlo.",
        "zh": "该订单已无法在此取消，您可以申请退货。",
    },
    "address_ask": {
        "en": "Order {order_id} has not shipped yet, so its address can be changed. What is "
        "the new delivery address?",
        "es": "El pedido {order_id} aún no se ha enviado, así que se puede cambiar la "
        "dirección. ¿Cuál es la nueva dirección de entrega?",
        "zh": "订单 {order_id} 尚未发货，可以修改地址。请问新的收货地址是什么？",
    },
    "address_too_late": {
        "en": " Its address can no longer be changed.",
        "es": " Ya no se puede cambiar su dirección.",
        "zh": "该订单的地址已无法修改。",
    },
    "address_kept": {
        "en": "I left the address of order {order_id} unchanged. To change it, ask again and "
        "give the full new address with the street number.",
        "es": "No he cambiado la dirección del pedido {order_id}. Para cambiarla, vuelve a "
        "pedirlo y dame la dirección completa con el número.",
        "zh": "订单 {order_id} 的地址未作更改。如需修改，请重新提出并提供包含门牌号的完整新地址。",
    },
    "address_confirm": {
        "en": "Deliver order {order_id} to: {address}? Please answer yes or no.",
        "es": "¿Entrego el pedido {order_id} en: {address}? Responde sí o no.",
        "zh": "订单 {order_id} 将配送至：{address}，确认吗？请回答“是”或“否”。",
    },
    "address_done": {
        "en": "Done: order {order_id} will be delivered to the new address.",
        "es": "Hecho: el pedido {order_id} se entregará en la nueva dirección.",
        "zh": "已完成：订单 {order_id} 将配送至新地址。",
    },
    "address_failed": {
        "en": "I couldn't change the address of that order. A person from our team can help: "
        "just ask for an agent.",
        "es": "No he podido cambiar la dirección de ese pedido. Una persona de nuestro equipo "
        "puede ayudarte: pide hablar con un agente.",
        "zh": "无法修改该订单的地址。我们的工作人员可以帮您处理：请要求转人工。",
    },
    "return_eligible": {
        "en": "Order {order_id} was delivered on {delivered_date}, so it can be returned until "
        "{deadline} ({days} days after delivery).",
        "es": "El pedido {order_id} se entregó el {delivered_date}, así que puedes devolverlo "
        "hasta el {deadline} ({days} días desde la entrega).",
        "zh": "订单 {order_id} 于 {delivered_date} 送达，"
        "可在 {deadline} 前退货（送达后 {days} 天内）。",
    },
    "return_expired": {
        "en": "Order {order_id} was delivered on {delivered_date}. The {days}-day return "
        "window ended on {deadline}, so it can no longer be returned.",
        "es": "El pedido {order_id} se entregó el {delivered_date}. El plazo de devolución de "
        "{days} días terminó el {deadline}, así que ya no se puede devolver.",
        "zh": "订单 {order_id} 于 {delivered_date} 送达，"
        "{days} 天退货期已于 {deadline} 结束，无法再退货。",
    },
    "return_not_delivered": {
        "en": "Order {order_id} has not been delivered yet. Once it arrives you can return it "
        "within {days} days of delivery.",
        "es": "El pedido {order_id} aún no se ha entregado. Cuando llegue, podrás devolverlo en "
        "un plazo de {days} días.",
        "zh": "订单 {order_id} 尚未送达。送达后 {days} 天内可以退货。",
    },
    "return_processing": {
        "en": "Order {order_id} has not shipped yet, so there is nothing to return: you can "
        "cancel it instead.",
        "es": "El pedido {order_id} aún no se ha enviado, así que no hay nada que devolver: "
        "puedes cancelarlo.",
        "zh": "订单 {order_id} 尚未发货，无需退货：您可以直接取消订单。",
    },
    "return_closed": {
        "en": "Order {order_id} {status}, so it cannot be returned.",
        "es": "El pedido {order_id} {status}, así que no se puede devolver.",
        "zh": "订单 {order_id} {status}，因此无法退货。",
    },
}

STATUS_WORDS = {
    "en": {
        "processing": "is being prepared and has not shipped yet",
        "shipped": "has shipped",
        "delivered": "was delivered",
        "cancelled": "was cancelled",
        "returned": "was returned",
    },
    "es": {
        "processing": "se está preparando y aún no se ha enviado",
        "shipped": "ha sido enviado",
        "delivered": "fue entregado",
        "cancelled": "fue cancelado",
        "returned": "fue devuelto",
    },
    "zh": {
        "processing": "正在备货，尚未发货",
        "shipped": "已发货",
        "delivered": "已送达",
        "cancelled": "已取消",
        "returned": "已退货",
    },
}


def template(name: str, language: str, **values: object) -> str:
    """The template `name` in `language` (English when there is none), filled with values."""
    options = TEMPLATES[name]
    text = options.get(language) or options["en"]
    return text.format(**values) if values else text


def order_status_text(order: dict, language: str) -> str:
    """A status sentence built only from the order's own fields."""
    lang = language if language in STATUS_WORDS else "en"
    status = STATUS_WORDS[lang].get(order["status"], order["status"])
    if lang == "es":
        text = f"Tu pedido {order['order_id']} (del {order['order_date']}) {status}."
        if order.get("tracking_number"):
            text += f" Seguimiento: {order['carrier'] or ''} {order['tracking_number']}."
        if order.get("delivered_date"):
            text += f" Fecha de entrega: {order['delivered_date']}."
    elif lang == "zh":
        text = f"您的订单 {order['order_id']}（下单日期 {order['order_date']}）{status}。"
        if order.get("tracking_number"):
            text += f"物流单号：{order['carrier'] or ''} {order['tracking_number']}。"
        if order.get("delivered_date"):
            text += f"送达日期：{order['delivered_date']}。"
    else:
        text = f"Your order {order['order_id']} (placed {order['order_date']}) {status}."
        if order.get("shipped_date") and order["status"] == "shipped":
            text += f" It left our warehouse on {order['shipped_date']}."
        if order.get("tracking_number"):
            text += f" Tracking: {order['carrier'] or ''} {order['tracking_number']}.".replace(
                "  ", " "
            )
        if order.get("delivered_date"):
            text += f" Delivered on {order['delivered_date']}."
    return text
