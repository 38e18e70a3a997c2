"""Request and answer bodies of the passkey endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

UUID_TEXT = validate.Regexp(r"^[0-9a-f-]{36}\Z", error="must be a lowercase UUID")


class PasskeyOptions(Schema):
    ceremony_id = fields.String(required=True)
    public_key = fields.Dict(required=True, metadata={
        "description": "the options for navigator.credentials.create() or .get(), as JSON "
                       "(base64url byte strings), to hand to @simplewebauthn/browser"})


class PasskeyRegisterRequest(Schema):
    ceremony_id = fields.String(required=True, validate=UUID_TEXT)
    credential = fields.Dict(required=True, metadata={
        "description": "the browser's RegistrationResponseJSON"})


class PasskeyRegistered(Schema):
    credential_id = fields.String(required=True)


class PasskeyLoginRequest(Schema):
    ceremony_id = fields.String(required=True, validate=UUID_TEXT)
    credential = fields.Dict(required=True, metadata={
        "description": "the browser's AuthenticationResponseJSON"})
    label = fields.String(load_default=None, validate=validate.Length(max=120))
    app_version = fields.String(load_default=None, validate=validate.Length(max=40))


class TraineePasskeyOptionsRequest(Schema):
    token = fields.String(required=True, validate=validate.Length(max=100), metadata={
        "description": "the check-in code the trainer's phone shows now"})
    trainee_id = fields.String(required=True, validate=UUID_TEXT)
    birth_year = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=1900, max=2100))
