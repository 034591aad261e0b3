"""`make audit`: pip-audit over the lock, against a vendored PyPA advisory snapshot offline."""

import json
import urllib.error
import urllib.request

import pytest
from packaging.version import Version

from scripts import dependency_audit
from scripts.dependency_audit import AdvisorySnapshot, affected_version, in_range

# Django 4.2.0 as the lock would pin it: hashed, so pip-audit runs without pip.
VULNERABLE_PIN = (
    "django==4.2.0 --hash=sha256:ad33ed68db9398f5dfb33282704925bce044bef4261cd4fb59e4e7f9ae505a78\n"
)


def events(*pairs):
    return [{kind: version} for kind, version in pairs]


class TestRanges:
    def test_several_branches_in_one_range_listed_out_of_order(self):
        # As PYSEC-2024-70 lists them: the 5.0 branch first, then 4.2.
        branches = events(
            ("introduced", "5.0"), ("fixed", "5.0.8"), ("introduced", "4.2"), ("fixed", "4.2.15")
        )
        assert in_range(branches, Version("4.2.14"))
        assert in_range(branches, Version("5.0.7"))
        assert not in_range(branches, Version("4.2.15"))
        assert not in_range(branches, Version("4.1"))
        assert not in_range(branches, Version("5.0.8"))
        assert not in_range(branches, Version("5.2.19"))

    def test_introduced_zero_and_last_affected(self):
        assert in_range(events(("introduced", "0"), ("fixed", "1.2")), Version("0.1"))
        up_to = events(("introduced", "0"), ("last_affected", "2.0"))
        assert in_range(up_to, Version("2.0"))
        assert not in_range(up_to, Version("2.0.1"))

    def test_listed_versions_count_even_without_a_range(self):
        affected = {"package": {"name": "x"}, "versions": ["1.0"], "ranges": []}
        assert affected_version(affected, "1.0")
        assert not affected_version(affected, "1.1")

    def test_unparsable_versions_are_not_a_crash(self):
        affected = {"package": {"name": "x"}, "ranges": [{"type": "ECOSYSTEM", "events": []}]}
        assert not affected_version(affected, "not a version")
        assert not in_range(events(("introduced", "garbage")), Version("1.0"))


@pytest.fixture(scope="module")
def snapshot():
    return AdvisorySnapshot.load()


def test_vendored_snapshot_knows_old_django_and_not_the_pinned_one(snapshot):
    ids = {record["id"] for record in snapshot.vulnerabilities("Django", "4.2.0")}
    assert "PYSEC-2024-70" in ids
    assert snapshot.vulnerabilities("django", "5.2.19") == []
    assert len(snapshot.records) > 2000
    assert snapshot.as_of.endswith("Z")


def test_snapshot_built_from_an_advisory_database_checkout(tmp_path):
    package = tmp_path / "vulns" / "examplepkg"
    package.mkdir(parents=True)
    (package / "PYSEC-2099-1.yaml").write_text(
        "id: PYSEC-2099-1\n"
        "modified: 2099-01-02T03:04:05.123456Z\n"
        "published: 2099-01-01T00:00:00Z\n"
        "details: Example.\n"
        "affected:\n"
        "- package: {ecosystem: PyPI, name: ExamplePkg}\n"
        "  ranges:\n"
        "  - type: ECOSYSTEM\n"
        "    events: [{introduced: '0'}, {fixed: '1.5'}]\n"
        "references: [{type: WEB, url: 'https://example.org'}]\n"
    )
    data = dependency_audit.build_snapshot(tmp_path)
    (record,) = data["advisories"]
    assert record["modified"] == "2099-01-02T03:04:05.123456Z"
    assert record["published"] == "2099-01-01T00:00:00Z"
    assert "references" not in record
    assert data["as_of"] == "2099-01-02T03:04:05.123456Z"
    built = AdvisorySnapshot(data)
    assert [r["id"] for r in built.vulnerabilities("examplepkg", "1.4")] == ["PYSEC-2099-1"]
    assert built.vulnerabilities("examplepkg", "1.5") == []


def post(url, body):
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def test_osv_endpoint_answers_as_osv_does(snapshot):
    with dependency_audit.serve_osv(snapshot) as url:
        query = {"package": {"name": "django", "ecosystem": "PyPI"}, "version": "4.2.0"}
        status, answer = post(url, json.dumps(query).encode())
        assert status == 200
        assert "PYSEC-2024-70" in {v["id"] for v in answer["vulns"]}

        query["version"] = "5.2.19"
        assert post(url, json.dumps(query).encode()) == (200, {})
        assert post(url, b"not json")[0] == 400
        assert post(url.replace("/v1/query", "/v1/other"), b"{}")[0] == 404


def test_audit_fails_on_a_vulnerable_pin_and_passes_the_lock(tmp_path, monkeypatch, capfd):
    # `auto` must fall back to the snapshot where PyPI's advisories do not answer.
    monkeypatch.setattr(dependency_audit, "live_service_answers", lambda: False)
    vulnerable = tmp_path / "requirements.txt"
    vulnerable.write_text(VULNERABLE_PIN)

    assert dependency_audit.main(["-r", str(vulnerable)]) == 1
    out = capfd.readouterr().out
    assert "PYSEC-2024-70" in out
    assert "advisory database snapshot" in out

    ignored = ["-r", str(vulnerable)]
    for record in AdvisorySnapshot.load().vulnerabilities("django", "4.2.0"):
        ignored += ["--ignore-vuln", record["id"]]
    assert dependency_audit.main(ignored) == 0
    capfd.readouterr()

    assert dependency_audit.main(["--source", "snapshot"]) == 0
    assert "No known vulnerabilities found" in capfd.readouterr().err
