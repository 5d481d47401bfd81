"""The webhook settings: private addresses are only for development and tests."""

import pytest

from app import create_app
from app.config import ConfigError
from tests.test_config import PRODUCTION


def test_production_refuses_private_webhook_addresses(tmp_path):
    with pytest.raises(ConfigError, match="WEBHOOK_ALLOW_PRIVATE_ADDRESSES"):
        create_app(PRODUCTION | {"INSTANCE_PATH": tmp_path, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1"})


def test_development_on_loopback_may_allow_them(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": tmp_path,
            "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
            "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
        }
    )

    assert app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] is True


def test_a_typo_in_the_switch_is_refused_and_the_timeout_is_bounded(tmp_path):
    with pytest.raises(ConfigError, match="true or false"):
        create_app({"INSTANCE_PATH": tmp_path, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "yess"})
    with pytest.raises(ConfigError, match="WEBHOOK_TIMEOUT_SECONDS"):
        create_app({"INSTANCE_PATH": tmp_path, "WEBHOOK_TIMEOUT_SECONDS": "120"})
