"""Seeded generator and committed data files of the demo shop ("Fernway").

Regenerate with ``python demo_shop/generate.py --seed 7 --out demo_shop/data``.
"""
