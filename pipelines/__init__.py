"""Scrapy item pipelines, in order: extraction (100), dedup (200), storage (300).

Each is a thin adapter around the ``aggregator`` package.
"""
