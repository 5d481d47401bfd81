"""The command-line commands: init-db, demo, send-due and preview (app/cli.py)."""

import json


def test_cli_init_db_demo_and_send_due(runner, outbox_file):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    demo = runner.invoke(args=["demo"])
    assert demo.exit_code == 0, demo.output
    assert "Demo ready" in demo.output
    sweep = runner.invoke(args=["send-due"])
    assert sweep.exit_code == 0, sweep.output
    assert sweep.output.startswith("Sent ")
    sent = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    assert {s["to"] for s in sent} >= {"+46700000001", "+46700000002"}
    # The demo's welcomes and next meetings, Sara's application sent for her comment, and
    # Layla's monthly list of papers (app/demo.py).
    assert {s["kind"] for s in sent} == {
        "welcome",
        "appointment_reminder",
        "application_comment",
        "checklist_request",
    }
    assert {s["channel"] for s in sent} == {"sms", "email"}  # two demo clients chose e-mail
    assert all(s["channel"] == "sms" for s in sent if s["to"].startswith("+"))


def test_preview_renders_every_kind_language_and_channel_as_json(runner):
    result = runner.invoke(args=["preview", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {(r["lang"], r["channel"]) for r in rows} >= {
        (lang, channel) for lang in ("sv", "en") for channel in ("sms", "voice", "page")
    }
    for row in rows:
        assert set(row) >= {"kind", "lang", "channel", "text", "encoding", "segments", "lix"}
        assert row["text"] and not row["fallback"]


def test_preview_as_text(runner):
    result = runner.invoke(args=["preview"])
    assert result.exit_code == 0
    assert "== appointment_reminder [sv/sms/standard]" in result.output
