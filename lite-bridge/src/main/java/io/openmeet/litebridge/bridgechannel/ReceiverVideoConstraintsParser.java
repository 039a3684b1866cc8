package io.openmeet.litebridge.bridgechannel;

import io.openmeet.litebridge.allocation.ReceiverVideoConstraints;
import io.openmeet.litebridge.allocation.VideoConstraints;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads `ReceiverVideoConstraints` (and the legacy `LastNChangedEvent`) as JVB does: missing or
 * null fields stay null (unchanged); a field of the wrong shape makes the whole message invalid.
 */
final class ReceiverVideoConstraintsParser {

  private ReceiverVideoConstraintsParser() {}

  /** Thrown for a message that must be ignored; the message says why. */
  static final class InvalidMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidMessageException(String message) {
      super(message);
    }
  }

  static ReceiverVideoConstraints parse(JsonObject message) throws InvalidMessageException {
    try {
      return new ReceiverVideoConstraints(
          integer(message, "lastN"),
          names(message, "onStageSources"),
          names(message, "selectedSources"),
          constraints(message.getValue("defaultConstraints"), "defaultConstraints"),
          constraintsMap(message.getValue("constraints")));
    } catch (IllegalArgumentException e) {
      throw new InvalidMessageException(e.getMessage());
    }
  }

  /** The lastN of a `LastNChangedEvent`, or null when it has none. */
  static Integer lastN(JsonObject message) throws InvalidMessageException {
    return integer(message, "lastN");
  }

  private static Integer integer(JsonObject message, String field) throws InvalidMessageException {
    Object value = message.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n)) {
      throw new InvalidMessageException(field + " is not a number");
    }
    return n.intValue();
  }

  private static List<String> names(JsonObject message, String field)
      throws InvalidMessageException {
    Object value = message.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      throw new InvalidMessageException(field + " is not an array");
    }
    List<String> names = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String name)) {
        throw new InvalidMessageException(field + " holds a non-string");
      }
      names.add(name);
    }
    return names;
  }

  private static Map<String, VideoConstraints> constraintsMap(Object value)
      throws InvalidMessageException {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw new InvalidMessageException("constraints is not an object");
    }
    Map<String, VideoConstraints> map = new HashMap<>();
    for (String source : object.fieldNames()) {
      Object entry = object.getValue(source);
      if (entry == null) {
        throw new InvalidMessageException("constraints." + source + " is null");
      }
      map.put(source, constraints(entry, "constraints." + source));
    }
    return map;
  }

  private static VideoConstraints constraints(Object value, String field)
      throws InvalidMessageException {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw new InvalidMessageException(field + " is not an object");
    }
    if (!(object.getValue("maxHeight") instanceof Number maxHeight)) {
      throw new InvalidMessageException(field + ".maxHeight is missing or not a number");
    }
    Object frameRate = object.getValue("maxFrameRate");
    if (frameRate != null && !(frameRate instanceof Number)) {
      throw new InvalidMessageException(field + ".maxFrameRate is not a number");
    }
    return new VideoConstraints(
        maxHeight.intValue(),
        frameRate == null ? VideoConstraints.UNLIMITED : ((Number) frameRate).doubleValue());
  }
}
