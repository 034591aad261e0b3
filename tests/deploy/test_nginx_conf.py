"""deploy/nginx.conf, filled in by deploy/stack.py, is a configuration nginx accepts, for the
loopback stack and for real hosts alike. What it does is tested through a running nginx in
tests/stack/."""

import shutil
import subprocess
from pathlib import Path

import pytest

from deploy import stack

needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="no nginx: apt-get install nginx libnginx-mod-http-cache-purge",
)


def render(tmp_path: Path, **overrides) -> str:
    values = {
        "upstreams": ["10.0.0.11:8000", "10.0.0.12:8000"],
        "listen": "127.0.0.1:8080",
        "static_root": tmp_path / "static",
        "media_root": tmp_path / "media",
        "state_dir": tmp_path,
        "log_dir": tmp_path,
        "purge_from": ["10.0.0.11", "10.0.0.12"],
        "user": None,
    }
    return stack.render_nginx_conf(**(values | overrides))


@needs_nginx
def test_rendered_config_passes_nginx_t(tmp_path):
    (tmp_path / "tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(tmp_path))
    result = subprocess.run(
        [stack.nginx_binary(), "-t", "-q", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_marker_is_filled_and_hosts_land_where_they_belong(tmp_path):
    text = render(tmp_path)
    assert "@@" not in text
    assert "server 10.0.0.11:8000 max_fails=3 fail_timeout=10s;" in text
    assert "server 10.0.0.12:8000" in text
    assert "allow 10.0.0.11;" in text and "allow 10.0.0.12;" in text
    assert "listen 127.0.0.1:8080;" in text
    assert f"alias {tmp_path / 'static'}/$static_path;" in text
    assert "proxy_cache_valid 200 301 302 404 1s;" in text


def test_brotli_only_when_its_module_is_installed(tmp_path):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / stack.PURGE_MODULE).touch()
    without = render(tmp_path, modules_dir=modules)
    assert "brotli on;" not in without
    assert stack.BROTLI_MODULE not in without
    (modules / stack.BROTLI_MODULE).touch()
    with_brotli = render(tmp_path, modules_dir=modules)
    assert "brotli on;" in with_brotli
    assert f"load_module {modules / stack.BROTLI_MODULE};" in with_brotli


def test_without_the_purge_module_it_says_what_to_install(tmp_path):
    with pytest.raises(stack.StackError, match="libnginx-mod-http-cache-purge"):
        render(tmp_path, modules_dir=tmp_path)
