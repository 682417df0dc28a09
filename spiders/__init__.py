"""Scrapy spiders: thin adapters that fetch pages and hand them to the pipelines."""
