"""jumin — an open-source resident registry (住民記録システム) for Japanese municipalities."""

__version__ = "0.1.0"
