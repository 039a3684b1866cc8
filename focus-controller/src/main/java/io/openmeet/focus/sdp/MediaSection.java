package io.openmeet.focus.sdp;

import java.util.List;
import java.util.Optional;

/**
 * One m-line and its attributes.
 *
 * @param media {@code audio}, {@code video}, {@code application}, ...
 * @param port 9 for a bundled m-line, 0 for a rejected one
 * @param line the 1-based line of the {@code m=} line, 0 when built in code
 */
public record MediaSection(
    String media,
    int port,
    String proto,
    List<String> formats,
    List<Attribute> attributes,
    int line) {

  public MediaSection {
    formats = List.copyOf(formats);
    attributes = List.copyOf(attributes);
  }

  /** The first attribute with this name. */
  public Optional<Attribute> attribute(String name) {
    return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  /** Every attribute with this name, in order. */
  public List<Attribute> attributes(String name) {
    return attributes.stream().filter(a -> a.name().equals(name)).toList();
  }

  /** The value of {@code a=mid}, if any. */
  public Optional<String> mid() {
    return attribute("mid").map(Attribute::value);
  }
}
