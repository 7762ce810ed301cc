"""The import framework: reading hostile files within limits (xlsx_guard, files, limits),
the platform's formats and the validate-everything-then-write-once resource base."""
