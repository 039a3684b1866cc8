package io.openmeet.focus.sdp;

import java.util.Objects;

/**
 * One {@code a=} line: a property attribute has a null value ({@code a=rtcp-mux}), a value
 * attribute has one ({@code a=mid:0}).
 *
 * @param line the 1-based line it was read from, 0 when built in code
 */
public record Attribute(String name, String value, int line) {

  public Attribute {
    Objects.requireNonNull(name, "name");
  }

  /** A value attribute built in code. */
  public static Attribute of(String name, String value) {
    return new Attribute(name, value, 0);
  }

  /** A property attribute (no value) built in code. */
  public static Attribute flag(String name) {
    return new Attribute(name, null, 0);
  }

  /** The line as written after {@code a=}. */
  public String render() {
    return value == null ? name : name + ":" + value;
  }
}
