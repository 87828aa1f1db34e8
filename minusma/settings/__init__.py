"""Settings modules: `local` for a developer's machine (manage.py's default),
`production` for a served deployment (wsgi's default), `test` for the suite."""
