"""The review app's pages: home and export (:mod:`pages`), question by question
(:mod:`questions`), student by student (:mod:`students`); shared helpers in :mod:`common`."""
