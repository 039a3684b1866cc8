package io.openmeet.bridgeconfig;

/** The rendered text does not parse: the template itself is broken, not the values. */
public final class RenderedConfigInvalidException extends BridgeConfigException {
  private static final long serialVersionUID = 1L;

  RenderedConfigInvalidException(String message, Throwable cause) {
    super(message, cause);
  }
}
