package io.openmeet.bridgeconfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The templates this module owns, each in its directory at the module root and in the jar. */
public enum ConfigTemplate {
  /** Jitsi Videobridge's jvb.conf (HOCON). */
  JVB("jvb/jvb.conf.template", Syntax.HOCON),
  /** Prosody's prosody.cfg.lua; scripts/lib/prosody.sh renders it with envsubst. */
  PROSODY("prosody/prosody.cfg.lua.template", Syntax.LUA),
  /** lite-bridge's HOCON, with JVB's key names where the bridges share a concept. */
  LITE_BRIDGE("lite-bridge/lite-bridge.conf.template", Syntax.HOCON);

  /** The language of the rendered file, which decides how it is checked. */
  public enum Syntax {
    HOCON,
    LUA
  }

  private final String relativePath;
  private final Syntax syntax;

  ConfigTemplate(String relativePath, Syntax syntax) {
    this.relativePath = relativePath;
    this.syntax = syntax;
  }

  /**
   * The path relative to the bridge-config module (and to the chart's files/ directory's parent).
   */
  public String relativePath() {
    return relativePath;
  }

  /** The file name alone, as the Helm chart's files/ directory holds it. */
  public String fileName() {
    return relativePath.substring(relativePath.lastIndexOf('/') + 1);
  }

  /** The language of the rendered file. */
  public Syntax syntax() {
    return syntax;
  }

  /** Reads the template text shipped in this module's jar. */
  public String text() {
    String resource = "templates/" + relativePath;
    try (InputStream in = ConfigTemplate.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("template " + resource + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read template " + resource, e);
    }
  }
}
