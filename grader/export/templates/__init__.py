"""Scripts written into the Gradescope bundle."""
