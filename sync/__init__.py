"""FieldRoll's sync rules: HLC, op validation and merging, as pure functions over plain data."""
