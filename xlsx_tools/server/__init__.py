"""`xlsx-tools serve`: the 校验 button's server (app.py: Starlette front, validator
pool) and the checks on a request (checks.py)."""
