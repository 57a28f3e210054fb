"""The public checks ``grader check`` runs; they ship to students (see docs/ci.md)."""
