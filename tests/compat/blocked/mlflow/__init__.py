"""Stands in for MLflow in compat scripts: any ``import mlflow`` there fails loudly."""

raise ImportError("compat scripts must run on lakehouse alone: `import mlflow` is blocked")
