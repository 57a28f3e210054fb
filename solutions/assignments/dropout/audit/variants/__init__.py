"""Source of the audit's variants: each file holds the functions that replace the reference's.

These files are read as text and spliced into copies of the reference layers.py; they are
never imported by the grader.
"""
