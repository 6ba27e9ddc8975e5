"""zwgk-monitor: automated 政务公开 compliance monitor for Chinese government portals."""

__version__ = "0.1.0"
