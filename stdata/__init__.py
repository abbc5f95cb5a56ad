"""stdata: build, validate, translate and balance Statement-Tuning corpora."""

__version__ = "0.1.0"
