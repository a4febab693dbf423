"""Turn web tutorials into a runnable Jupyter Book course."""

__all__ = ["__version__"]
__version__ = "0.1.0"
