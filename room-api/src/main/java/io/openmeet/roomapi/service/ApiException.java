package io.openmeet.roomapi.service;

import java.time.Duration;
import java.util.List;

/**
 * A request that cannot be served, for a reason the caller can act on; rest/ProblemMapper turns it
 * into application/problem+json. Thrown before anything is changed.
 */
public class ApiException extends RuntimeException {

  private final ErrorCode code;
  private final List<FieldError> fieldErrors;
  private final Duration retryAfter;

  public ApiException(ErrorCode code, String detail) {
    this(code, detail, List.of(), null);
  }

  private ApiException(
      ErrorCode code, String detail, List<FieldError> fieldErrors, Duration retryAfter) {
    super(detail, null, false, false);
    this.code = code;
    this.fieldErrors = List.copyOf(fieldErrors);
    this.retryAfter = retryAfter;
  }

  /** A 400 listing the invalid fields. */
  public static ApiException invalid(List<FieldError> errors) {
    String detail =
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid";
    return new ApiException(ErrorCode.VALIDATION_FAILED, detail, errors, null);
  }

  /** A 400 for one invalid field. */
  public static ApiException invalid(String field, String message) {
    return invalid(List.of(new FieldError(field, message)));
  }

  /** A 429 telling the client when to come back. */
  public static ApiException rateLimited(String detail, Duration retryAfter) {
    return new ApiException(ErrorCode.RATE_LIMITED, detail, List.of(), retryAfter);
  }

  public ErrorCode code() {
    return code;
  }

  public List<FieldError> fieldErrors() {
    return fieldErrors;
  }

  /** How long a rate-limited client should wait, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
