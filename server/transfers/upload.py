"""Reading the uploaded file from a multipart form, with its own size cap."""

from __future__ import annotations

from flask import Request, current_app

from server.errors import ApiError

# Room for the multipart boundaries and the other form fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def uploaded_file(request: Request) -> bytes:
    """Return the bytes of the form's `file`, refusing a file over IMPORT_MAX_FILE_BYTES with 413."""
    cap = current_app.config["IMPORT_MAX_FILE_BYTES"]
    too_large = ApiError(413, "file_too_large",
                         f"the file is larger than {cap // 1024} KB: split the list into smaller files",
                         {"max_bytes": cap})
    if (request.content_length or 0) > cap + FORM_OVERHEAD_BYTES:
        raise too_large
    request.max_content_length = cap + FORM_OVERHEAD_BYTES
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(400, "missing_file", "send the spreadsheet as multipart/form-data, in the field “file”")
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "missing_file", "send the spreadsheet as multipart/form-data, in the field “file”")
    data: bytes = upload.read(cap + 1)
    if len(data) > cap:
        raise too_large
    return data
