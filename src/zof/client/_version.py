"""The SDK version sent in the User-Agent header."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("zof")
except PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled tree
    VERSION = "0+unknown"
