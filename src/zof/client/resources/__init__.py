"""Resource groups of the zof clients."""
