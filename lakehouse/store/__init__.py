"""Storage: the one place that reads and commits Delta tables and artifacts."""
