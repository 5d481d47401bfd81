"""The health check (app/health.py)."""

from app import create_app


def test_healthz_answers_ok_with_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_gone(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": tmp_path, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
