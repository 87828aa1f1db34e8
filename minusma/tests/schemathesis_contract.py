"""A schemathesis check of our own, loaded by schemathesis.toml (`hooks`) for the CLI and by the in-suite run.

schemathesis' positive_data_acceptance check refuses every 400 to a schema-valid request. Some rules cannot be said in
JSON Schema (a cursor only from a `next` link, an actor slug that must exist, date_to on or after date_from, a record
that must pass the model's validation), so the schema states them as `x-constraints` on the parameter or request
body. This check lets a 400 through only when it names, for each key of its error body, a parameter or a request
body that carries such a documented rule; any other refusal of valid input fails, as before.
"""

import schemathesis


@schemathesis.check
def refusals_are_documented(ctx, response, case):
    """A 400 to schema-valid input must name only parameters (or a request body) with documented x-constraints."""
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return None
    operation = case.operation.definition.raw
    constrained = {
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and parameter.get("x-constraints")
    }
    query_names = {parameter["name"] for parameter in operation.get("parameters", [])}
    body_constrained = bool(operation.get("requestBody", {}).get("x-constraints"))
    try:
        errors = response.json()
    except ValueError:
        errors = None
    if not isinstance(errors, dict):
        raise AssertionError(f"A 400 without a JSON object: {errors!r}")
    named = [key for key in errors if key != "detail"]
    undocumented = [
        key for key in named if key not in constrained and not (body_constrained and key not in query_names)
    ]
    if not named or undocumented:
        raise AssertionError(
            f"400 for {', '.join(undocumented) or 'no parameter'} although the schema documents no rule "
            f"that refuses it: {errors}"
        )
    return None
