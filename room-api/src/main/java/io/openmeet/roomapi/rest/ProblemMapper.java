package io.openmeet.roomapi.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.openmeet.focus.text.InvalidTextException;
import io.openmeet.roomapi.repository.SqlFailures;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.ErrorCode;
import io.openmeet.roomapi.service.FieldError;
import io.openmeet.roomapi.service.RetryHint;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.redisson.client.RedisException;

/**
 * The one place that turns failures into application/problem+json. Anything it does not know is a
 * 500 with a reference that is logged, never a stack trace on the wire.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  @ServerExceptionMapper
  public Response api(ApiException e, HttpServerRequest request) {
    Response.ResponseBuilder r = builder(e.code(), e.getMessage(), e.fieldErrors(), request);
    if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE) {
      // the body was not read, so the connection cannot carry another request: say so, or a
      // client reuses it and its next request gets no answer (found by the fuzzer)
      r.header("Connection", "close");
    }
    if (e.retryAfter() != null) {
      long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
      r.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    }
    return r.build();
  }

  @ServerExceptionMapper
  public Response text(InvalidTextException e, HttpServerRequest request) {
    return builder(
            ErrorCode.INVALID_TEXT,
            e.getMessage(),
            List.of(new FieldError(e.field(), e.reason().code() + ": " + e.detail())),
            request)
        .build();
  }

  @ServerExceptionMapper
  public Response validation(ConstraintViolationException e, HttpServerRequest request) {
    List<FieldError> errors =
        e.getConstraintViolations().stream()
            .map(v -> new FieldError(field(v), v.getMessage()))
            .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::message))
            .toList();
    String detail =
        errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
    return builder(ErrorCode.VALIDATION_FAILED, detail, errors, request).build();
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e, HttpServerRequest request) {
    return jsonProblem(e, request);
  }

  // the exact Jackson types, so that Quarkus' built-in application/json mappers for them never win
  @ServerExceptionMapper
  public Response jsonParse(JsonParseException e, HttpServerRequest request) {
    return jsonProblem(e, request);
  }

  @ServerExceptionMapper
  public Response jsonMapping(JsonMappingException e, HttpServerRequest request) {
    return jsonProblem(e, request);
  }

  @ServerExceptionMapper
  public Response jsonMismatch(MismatchedInputException e, HttpServerRequest request) {
    return jsonProblem(e, request);
  }

  @ServerExceptionMapper
  public Response jsonFormat(InvalidFormatException e, HttpServerRequest request) {
    return jsonProblem(e, request);
  }

  @ServerExceptionMapper
  public Response jsonInstantiation(ValueInstantiationException e, HttpServerRequest request) {
    return jsonProblem(e, request);
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, HttpServerRequest request) {
    JsonProcessingException json = cause(e, JsonProcessingException.class);
    if (json != null) {
      return jsonProblem(json, request);
    }
    int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
    ErrorCode code =
        switch (status) {
          case 400 -> ErrorCode.BAD_REQUEST;
          case 401 -> ErrorCode.UNAUTHORIZED;
          case 403 -> ErrorCode.FORBIDDEN;
          case 404 -> ErrorCode.NOT_FOUND;
          case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
          case 406 -> ErrorCode.NOT_ACCEPTABLE;
          case 409 -> ErrorCode.CONFLICT;
          case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
          case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
          case 503 -> ErrorCode.SERVICE_UNAVAILABLE;
          default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST;
        };
    if (code == ErrorCode.INTERNAL_ERROR) {
      return internal(e, request);
    }
    Response.ResponseBuilder r = builder(code, detailFor(code, request), List.of(), request);
    if (status == 405 && e.getResponse().getHeaderString(HttpHeaders.ALLOW) != null) {
      r.header(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW));
    }
    return r.build();
  }

  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e, HttpServerRequest request) {
    // the reason (expired, bad signature, wrong audience…) stays in the log: it helps forgers
    LOG.debugf("rejected token on %s: %s", request.path(), e.getMessage());
    return builder(
            ErrorCode.INVALID_TOKEN,
            "the bearer token is invalid, expired, or not meant for this service",
            List.of(),
            request)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
        .build();
  }

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e, HttpServerRequest request) {
    return builder(ErrorCode.UNAUTHORIZED, "this endpoint needs a bearer token", List.of(), request)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, HttpServerRequest request) {
    return builder(ErrorCode.FORBIDDEN, "this token does not grant that", List.of(), request)
        .build();
  }

  @ServerExceptionMapper
  public Response redis(RedisException e, HttpServerRequest request) {
    LOG.warnf(e, "Redis failed on %s %s", request.method(), request.path());
    return builder(
            ErrorCode.SERVICE_UNAVAILABLE,
            "shared state (Redis) is unavailable",
            List.of(),
            request)
        .header(HttpHeaders.RETRY_AFTER, RetryHint.retryAfterHeader())
        .build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e, HttpServerRequest request) {
    ApiException api = cause(e, ApiException.class);
    if (api != null) {
      return api(api, request);
    }
    InvalidTextException text = cause(e, InvalidTextException.class);
    if (text != null) {
      return text(text, request);
    }
    if (cause(e, RedisException.class) != null) {
      return redis(cause(e, RedisException.class), request);
    }
    switch (SqlFailures.of(e)) {
      case CONFLICT -> {
        return builder(
                ErrorCode.CONFLICT, "this conflicts with an existing record", List.of(), request)
            .build();
      }
      case DATA_EXCEPTION -> {
        // a data exception (e.g. a character Postgres cannot store) that validation let through
        return builder(
                ErrorCode.BAD_REQUEST,
                "the request holds a value that cannot be stored",
                List.of(),
                request)
            .build();
      }
      case UNAVAILABLE -> {
        LOG.warnf(e, "database unavailable on %s %s", request.method(), request.path());
        return builder(
                ErrorCode.SERVICE_UNAVAILABLE, "the database is unavailable", List.of(), request)
            .header(HttpHeaders.RETRY_AFTER, RetryHint.retryAfterHeader())
            .build();
      }
      case INTEGRITY_VIOLATION, OTHER -> {}
    }
    return internal(e, request);
  }

  private Response internal(Throwable e, HttpServerRequest request) {
    String reference = UUID.randomUUID().toString();
    LOG.errorf(e, "unexpected failure %s on %s %s", reference, request.method(), request.path());
    return builder(
            ErrorCode.INTERNAL_ERROR,
            "something went wrong on our side; reference " + reference,
            List.of(),
            request)
        .build();
  }

  private Response jsonProblem(JsonProcessingException e, HttpServerRequest request) {
    // Jackson wraps what the body stream throws (e.g. BodyLimit's 413) into its own exceptions
    ApiException api = cause(e, ApiException.class);
    if (api != null) {
      return api(api, request);
    }
    // a syntax error (bad UTF-8 too) met while binding a field is still not JSON at all
    JsonParseException syntax = cause(e, JsonParseException.class);
    if (syntax != null && syntax != e) {
      return jsonProblem(syntax, request);
    }
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      String field =
          mapping.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      String message =
          e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null
              ? iae.getMessage()
              : e instanceof MismatchedInputException mismatch
                  ? expected(mismatch.getTargetType())
                  : "has the wrong type or format";
      FieldError error = new FieldError(field, message);
      return builder(ErrorCode.VALIDATION_FAILED, field + ": " + message, List.of(error), request)
          .build();
    }
    if (e instanceof JsonMappingException) {
      return builder(
              ErrorCode.VALIDATION_FAILED,
              "the body must be a JSON object of the documented shape",
              List.of(),
              request)
          .build();
    }
    var location = e.getLocation();
    String where =
        location == null
            ? ""
            : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    return builder(
            ErrorCode.MALFORMED_JSON, "the body is not valid JSON" + where, List.of(), request)
        .build();
  }

  /** What a field of this Java type must be, in JSON words. */
  private static String expected(Class<?> type) {
    if (type == String.class) {
      return "must be a string";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "must be an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "must be true or false";
    }
    return "has the wrong type or format";
  }

  private static Response.ResponseBuilder builder(
      ErrorCode code, String detail, List<FieldError> errors, HttpServerRequest request) {
    Problem problem =
        new Problem(
            Problem.TYPE_PREFIX + code.code(),
            code.title(),
            code.status(),
            detail,
            request == null ? null : request.path(),
            code.code(),
            errors.isEmpty() ? null : errors);
    return Response.status(code.status()).type(Problem.MEDIA_TYPE).entity(problem);
  }

  private static String detailFor(ErrorCode code, HttpServerRequest request) {
    String target = request == null ? "" : request.method() + " " + request.path();
    return switch (code) {
      case NOT_FOUND -> "nothing at " + target;
      case METHOD_NOT_ALLOWED -> target + " is not supported";
      case UNSUPPORTED_MEDIA_TYPE -> "send application/json";
      case NOT_ACCEPTABLE -> "this endpoint answers application/json";
      case PAYLOAD_TOO_LARGE -> "the request body is too large";
      default -> code.title();
    };
  }

  /** The JSON name of a violated field: the path after the method parameter, or the parameter. */
  static String field(ConstraintViolation<?> v) {
    List<String> after = new ArrayList<>();
    String parameter = null;
    boolean seenParameter = false;
    for (Path.Node node : v.getPropertyPath()) {
      if (node.getKind() == ElementKind.PARAMETER) {
        parameter = node.getName();
        seenParameter = true;
      } else if (seenParameter && node.getName() != null) {
        after.add(node.getName());
      }
    }
    if (!after.isEmpty()) {
      return String.join(".", after);
    }
    if (parameter != null) {
      return parameter;
    }
    return String.valueOf(v.getPropertyPath());
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
