"""Admin registrations: see partnerships/admin.py once written."""
