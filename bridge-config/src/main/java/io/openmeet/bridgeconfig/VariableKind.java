package io.openmeet.bridgeconfig;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shape a render variable's value must have. Each kind checks the raw value and formats it for
 * the templates, which put most values inside double-quoted HOCON or Lua strings.
 */
public enum VariableKind {
  /** A host name, an IPv4 address, or {@code *} / {@code 0.0.0.0} for "every interface". */
  HOST("a host name or IPv4 address", "[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\*"),
  /** An XMPP domain or MUC component address, e.g. {@code auth.meet.local}. */
  DOMAIN(
      "a DNS-style domain (letters, digits, '-' and '.')",
      "[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*"),
  /** A TCP/UDP port number, 1 to 65535. */
  PORT("a port number between 1 and 65535", "[0-9]{1,5}"),
  /** {@code true} or {@code false}. */
  BOOLEAN("true or false", "true|false"),
  /** A HOCON duration with a unit, e.g. {@code 10 seconds} or {@code 2 hours}. */
  DURATION(
      "a duration with a unit, e.g. '5 seconds' or '2 hours'",
      "[0-9]{1,9} ?(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?)"),
  /** A short identifier: bridge ids, regions, account and room names. */
  IDENTIFIER("letters, digits, '.', '_' or '-' (1 to 64 characters)", "[A-Za-z0-9._-]{1,64}"),
  /** A host with an optional port, e.g. {@code meet.example.com:443}. */
  HOST_PORT(
      "a host name with an optional :port", "[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:[0-9]{1,5})?"),
  /**
   * Comma-separated {@code host:port} entries, rendered as quoted HOCON list items; may be empty.
   */
  HOST_PORT_LIST(
      "comma-separated host:port entries (may be empty)",
      "([A-Za-z0-9][A-Za-z0-9.-]{0,252}:[0-9]{1,5}(,[A-Za-z0-9][A-Za-z0-9.-]{0,252}:[0-9]{1,5})*)?"),
  /** What JVB's stress level is computed from ({@code load-measurements.load-measurement}). */
  LOAD_MEASUREMENT("cpu-usage or packet-rate", "cpu-usage|packet-rate"),
  /** An absolute file-system path without quotes or spaces. */
  PATH("an absolute path without spaces or quotes", "/[A-Za-z0-9._/+-]*"),
  /**
   * A password: printable ASCII except quotes, backslashes and {@code $} (which would break out of
   * the quoted strings or start a substitution), 8 to 256 characters. Never echoed in errors.
   */
  SECRET(
      "8 to 256 printable characters without quotes, backslashes or '$'",
      "[\\x21-\\x7e&&[^\"'\\\\$]]{8,256}");

  private final String expectation;
  private final Pattern pattern;

  VariableKind(String expectation, String regex) {
    this.expectation = expectation;
    this.pattern = Pattern.compile(regex);
  }

  /** What a valid value looks like, for error messages. */
  public String expectation() {
    return expectation;
  }

  /**
   * Checks a raw value.
   *
   * @return empty when the value is valid, otherwise the reason it is not
   */
  public Optional<String> problemWith(String value) {
    if (!pattern.matcher(value).matches()) {
      return Optional.of("expected " + expectation);
    }
    if (this == PORT) {
      int port = Integer.parseInt(value);
      if (port < 1 || port > 65535) {
        return Optional.of("port " + port + " is outside 1..65535");
      }
    }
    if (this == HOST_PORT || this == HOST_PORT_LIST) {
      for (String entry : value.isEmpty() ? new String[0] : value.split(",")) {
        int colon = entry.lastIndexOf(':');
        if (colon > 0) {
          int port = Integer.parseInt(entry.substring(colon + 1));
          if (port < 1 || port > 65535) {
            return Optional.of("port " + port + " in '" + entry + "' is outside 1..65535");
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The text that replaces the placeholder; only lists differ from the raw value. */
  String format(String value) {
    if (this == HOST_PORT_LIST) {
      if (value.isEmpty()) {
        return "";
      }
      return "\"" + String.join("\", \"", value.split(",")) + "\"";
    }
    if (this == BOOLEAN) {
      return value.toLowerCase(Locale.ROOT);
    }
    return value;
  }
}
