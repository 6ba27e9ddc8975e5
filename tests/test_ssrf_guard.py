"""The SSRF guard's address check on its own (no request is made to any of these addresses)."""

from __future__ import annotations

import pytest

from zwgk.crawler.middlewares.ssrf import address_allowed, resolve


@pytest.mark.parametrize(
    "host",
    ["10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "[::1]", "fc00::1",
     "127.0.0.2", "0x7f000002", "2130706434", "0.0.0.0", "::ffff:127.0.0.1", "localhost"],
)
def test_refuses_private_loopback_link_local(host):
    ok, reason = address_allowed(host, allowed_hosts={"127.0.0.1"})
    assert not ok, reason
    assert "non-public" in reason


def test_numeric_forms_resolve_to_the_real_address():
    assert resolve("0x7f000002") == ("127.0.0.2",)
    assert resolve("2130706434") == ("127.0.0.2",)


def test_registry_host_allowed_by_name_only():
    assert address_allowed("127.0.0.1", {"127.0.0.1"})[0]
    # Naming 127.0.0.1 does not allow its other spellings or neighbours.
    assert not address_allowed("127.0.0.2", {"127.0.0.1"})[0]
    assert not address_allowed("2130706433", {"127.0.0.1"})[0]


def test_public_literal_allowed_without_any_request():
    # A public address literal needs no lookup; the check itself sends nothing.
    assert address_allowed("202.108.22.5", set())[0]
