package io.openmeet.roomapi.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.openmeet.roomapi.service.FieldError;
import java.util.List;

/**
 * An RFC 9457 problem document; {@code code} repeats the last segment of {@code type} for clients
 * that switch on it, {@code errors} lists invalid fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    String code,
    List<FieldError> errors) {

  /** The media type of every 4xx/5xx body. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** Prefix of every problem {@code type}. */
  public static final String TYPE_PREFIX = "https://openmeet.io/problems/";
}
