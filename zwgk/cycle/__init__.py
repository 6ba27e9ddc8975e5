"""The nightly cycle on top of every other layer: its stages, run records, run lock, the
scheduled jobs and the notifications they send. zwgk/scheduler.py only wires these to cron."""
