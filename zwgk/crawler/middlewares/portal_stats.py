"""Requests per portal in the crawl's stats (`zwgk/requests/<portal id>`).

What one portal costs a night is what a province plans on and what a portal's webmaster asks
about; Scrapy counts requests only for the whole run. robots.txt requests carry no portal and are
counted by Scrapy alone.
"""

from __future__ import annotations


class PortalRequestStats:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request, spider=None):
        portal = request.meta.get("portal")
        if portal is not None:
            self.stats.inc_value(f"zwgk/requests/{portal.id}")
        return None
