package io.openmeet.roomapi.service;

import java.util.ArrayList;
import java.util.List;

/** Page number (from 0) and size (1..100), parsed from query parameters into typed errors. */
public record Paging(int page, int size) {

  public static final int DEFAULT_SIZE = 20;
  public static final int MAX_SIZE = 100;

  /**
   * Parses {@code page} and {@code size}; null means the default.
   *
   * @throws ApiException listing both parameters when they are not in range
   */
  public static Paging of(String page, String size) {
    List<FieldError> errors = new ArrayList<>();
    int p = parse(page, 0, "page", 0, 1_000_000, errors);
    int s = parse(size, DEFAULT_SIZE, "size", 1, MAX_SIZE, errors);
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    return new Paging(p, s);
  }

  private static int parse(
      String value, int fallback, String name, int min, int max, List<FieldError> errors) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below, like an out-of-range number
    }
    errors.add(new FieldError(name, "must be a whole number from " + min + " to " + max));
    return fallback;
  }
}
