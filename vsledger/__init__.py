"""vsledger: volunteer-service ledgers (志愿服务台账) kept as YAML in git."""

__version__ = "0.1.0"
