"""tools.jax_site: the environment of a child process that runs Keras on JAX."""

from pathlib import Path

from tools import jax_site


def test_the_compilation_cache_is_a_user_cache_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    env = jax_site.jax_env()
    assert env["KERAS_BACKEND"] == "jax"
    assert Path(env["JAX_COMPILATION_CACHE_DIR"]) == tmp_path / "cnnlib" / "jax"
    assert env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "0"
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", str(tmp_path / "mine"))
    assert jax_site.jax_env()["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "mine")


def test_without_xdg_the_cache_is_under_the_home_folder(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert jax_site.jax_cache_dir() == Path.home() / ".cache" / "cnnlib" / "jax"
