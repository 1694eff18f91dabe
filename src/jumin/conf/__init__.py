"""Runtime configuration helpers shared by settings and apps (no Django models here)."""
