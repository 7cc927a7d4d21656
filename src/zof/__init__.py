"""zof: a self-hostable test reporting service and its Python SDK."""

__version__ = "0.1.0"
