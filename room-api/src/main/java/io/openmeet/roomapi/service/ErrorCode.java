package io.openmeet.roomapi.service;

/**
 * Every way a request can fail, with its HTTP status and a stable kebab-case code (the last segment
 * of the problem {@code type}); documented in docs/API.md.
 */
public enum ErrorCode {
  BAD_REQUEST(400, "bad-request", "Bad request"),
  MALFORMED_JSON(400, "malformed-json", "The request body is not valid JSON"),
  VALIDATION_FAILED(400, "validation-failed", "The request has invalid fields"),
  INVALID_TEXT(400, "invalid-text", "A text field holds characters or a length not accepted"),
  INVALID_ID(400, "invalid-id", "Not a valid id"),
  UNAUTHORIZED(401, "unauthorized", "A valid token is required"),
  INVALID_TOKEN(401, "invalid-token", "The token was rejected"),
  FORBIDDEN(403, "forbidden", "Not allowed"),
  WRONG_PASSWORD(403, "wrong-password", "Wrong room password"),
  NOT_INVITED(403, "not-invited", "Not invited to this room"),
  NOT_FOUND(404, "not-found", "Not found"),
  ROOM_NOT_FOUND(404, "room-not-found", "No such room"),
  USER_NOT_FOUND(404, "user-not-found", "No such user"),
  CALL_NOT_FOUND(404, "call-not-found", "No such call"),
  NOT_IN_LOBBY(404, "not-in-lobby", "Nobody with this id waits in the room's lobby"),
  METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
  NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
  CONFLICT(409, "conflict", "Conflict"),
  EMAIL_TAKEN(409, "email-taken", "A user with this email exists"),
  NO_LOBBY(409, "no-lobby", "The room has no lobby"),
  ROOM_CLOSED(410, "room-closed", "The room is closed"),
  PAYLOAD_TOO_LARGE(413, "payload-too-large", "The request body is too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported content type"),
  RATE_LIMITED(429, "rate-limited", "Too many requests"),
  INTERNAL_ERROR(500, "internal-error", "Internal error"),
  SERVICE_UNAVAILABLE(503, "service-unavailable", "A backing service is unavailable");

  private final int status;
  private final String code;
  private final String title;

  ErrorCode(int status, String code, String title) {
    this.status = status;
    this.code = code;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String title() {
    return title;
  }
}
