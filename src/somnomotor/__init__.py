"""somnomotor: find, score and follow abnormal movements in sleep."""

__version__ = "0.1.0"
